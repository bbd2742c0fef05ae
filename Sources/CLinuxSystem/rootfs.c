// The container child's filesystem view, in order: propagation of "/", optional overlay,
// bind of the rootfs onto itself, the spec's mounts, /dev nodes and links, pivot_root.
// Masked and read-only paths come after pivot_root (see container_child.c), so their paths
// are resolved inside the new root.
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int csys_mkdir_p(const char *path) {
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char saved = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
            buf[i] = saved;
        }
    }
    return 0;
}

static void join_path(char *out, const char *root, const char *path, int sock) {
    int n = snprintf(out, PATH_MAX, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
    if (n < 0 || n >= PATH_MAX) csys_child_fail(sock, CSYS_STAGE_MOUNTS, ENAMETOOLONG, "path too long: %s", path);
}

/// Creates the mount point: a directory, or (for a bind of a file) an empty file.
static int make_mountpoint(const char *target, int is_file) {
    if (!is_file) return csys_mkdir_p(target);
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) { *slash = '\0'; if (csys_mkdir_p(parent) < 0) return -1; }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EISDIR) return 0;
        return -1;
    }
    close(fd);
    return 0;
}

static void do_mount(const struct csys_container_config *c, const struct csys_mount *m, int sock) {
    char target[PATH_MAX];
    join_path(target, c->rootfs, m->destination, sock);
    if (m->bind) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "bind mount source %s", m->source);
        if (make_mountpoint(target, !S_ISDIR(st.st_mode)) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "creating mount point %s", m->destination);
        unsigned long bind_flags = MS_BIND | (m->bind == 2 ? MS_REC : 0);
        if (mount(m->source, target, NULL, bind_flags, NULL) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "bind mount %s on %s", m->source, m->destination);
        if (m->flags != 0 && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | m->flags, NULL) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "remounting %s with its options", m->destination);
    } else {
        if (csys_mkdir_p(target) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "creating mount point %s", m->destination);
        if (m->cgroup) {
            // A pure v2 host gets the container's cgroup namespace view; on v1/hybrid hosts the
            // hierarchies are not exposed and a read-only empty tmpfs stands in.
            int rc = c->cgroup_v2 ? mount("cgroup2", target, "cgroup2", m->flags, NULL)
                                  : mount("tmpfs", target, "tmpfs", m->flags | MS_RDONLY, "mode=755");
            if (rc < 0) csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "mounting cgroup on %s", m->destination);
        } else {
            const char *src = m->source != NULL ? m->source : m->fstype;
            int rc = mount(src, target, m->fstype, m->flags, m->data);
            if (rc < 0 && errno == EINVAL && m->data != NULL && strcmp(m->fstype, "devpts") == 0) {
                rc = mount(src, target, m->fstype, m->flags, "newinstance,ptmxmode=0666,mode=0620");
            }
            if (rc < 0)
                csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "mounting %s (%s) on %s", src, m->fstype, m->destination);
        }
    }
    if (m->propagation != 0 && mount(NULL, target, NULL, m->propagation, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "setting propagation of %s", m->destination);
}

static void make_device(const char *rootfs, const struct csys_device *d, int sock) {
    char target[PATH_MAX];
    join_path(target, rootfs, d->path, sock);
    mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    if (mknod(target, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0) {
        if (errno == EEXIST) return;
        if (errno == ENOENT) {
            char parent[PATH_MAX];
            snprintf(parent, sizeof(parent), "%s", target);
            char *slash = strrchr(parent, '/');
            if (slash != NULL) { *slash = '\0'; csys_mkdir_p(parent); }
            if (mknod(target, type | (d->mode & 07777), makedev(d->major, d->minor)) == 0) goto own;
        }
        csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "mknod %s", d->path);
    }
own:
    if (chown(target, d->uid, d->gid) < 0) csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "chown %s", d->path);
    // mknod is subject to the umask; set the exact mode.
    if (chmod(target, d->mode & 07777) < 0) csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "chmod %s", d->path);
}

static void make_dev_links(const char *rootfs) {
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
        {"/proc/kcore", "/dev/core"},
    };
    char target[PATH_MAX];
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(target, sizeof(target), "%s%s", rootfs, links[i][1]);
        if (symlink(links[i][0], target) < 0 && errno != EEXIST) { /* /dev may be read-only: not fatal */ }
    }
    char pts[PATH_MAX];
    snprintf(pts, sizeof(pts), "%s/dev/pts/ptmx", rootfs);
    struct stat st;
    if (stat(pts, &st) == 0) {
        snprintf(target, sizeof(target), "%s/dev/ptmx", rootfs);
        unlink(target);
        if (symlink("pts/ptmx", target) < 0) { /* keep going: only terminals need it */ }
    }
}

static const struct csys_device default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},  {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},  {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

void csys_setup_rootfs(const struct csys_container_config *c, int sock) {
    unsigned long prop = c->rootfs_propagation != 0 ? c->rootfs_propagation : (MS_REC | MS_PRIVATE);
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "setting propagation of /");
    if (c->overlay_data != NULL && mount("overlay", c->rootfs, "overlay", 0, c->overlay_data) < 0)
        csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "mounting overlay on %s", c->rootfs);
    if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "bind mounting rootfs %s", c->rootfs);
    // The bind must not propagate back to the host even when "/" was left shared.
    if ((prop & (MS_SHARED | MS_SLAVE)) == 0 && mount(NULL, c->rootfs, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "making rootfs private");

    int dev_mounted = 0;
    for (size_t i = 0; i < c->mount_count; i++) {
        do_mount(c, &c->mounts[i], sock);
        if (strcmp(c->mounts[i].destination, "/dev") == 0) dev_mounted = 1;
    }
    if (dev_mounted) {
        for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
            make_device(c->rootfs, &default_devices[i], sock);
        make_dev_links(c->rootfs);
    }
    for (size_t i = 0; i < c->device_count; i++) make_device(c->rootfs, &c->devices[i], sock);

    // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new.
    if (chdir(c->rootfs) < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "chdir %s", c->rootfs);
    if (syscall(SYS_pivot_root, ".", ".") < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "pivot_root %s", c->rootfs);
    // The old root is now stacked on "."; keep its unmount from propagating to the host.
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "making the old root a slave");
    if (umount2(".", MNT_DETACH) < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "detaching the old root");
    if (chdir("/") < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "chdir /");
}
