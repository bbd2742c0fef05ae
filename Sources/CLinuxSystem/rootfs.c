// The container child's filesystem view, in order: propagation of "/", optional overlay,
// bind of the rootfs onto itself, the spec's mounts, /dev nodes and links, pivot_root.
// Masked and read-only paths come after pivot_root (see container_child.c), so their paths
// are resolved inside the new root.
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
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

/// Mount points and device nodes are resolved inside the rootfs as if it were "/": a hostile
/// image's symlink (`/etc -> /` or `x -> ../../..`) is followed within the rootfs and can
/// never make a mount or mknod land on the host. openat2(RESOLVE_IN_ROOT) does the walk in
/// the kernel; every object is created with *at calls relative to an fd already inside, and
/// mounts go through /proc/self/fd so the path is not walked again.
static int open_in_root(int root, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd;
    do { fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how)); } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return fd;
}

/// Splits `path` (absolute inside the root) into its parent and last component.
static void split_path(const char *path, char *parent, char *name, int sock) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    if (n >= PATH_MAX) csys_child_fail(sock, CSYS_STAGE_MOUNTS, ENAMETOOLONG, "path too long: %s", path);
    size_t slash = n;
    while (slash > 0 && path[slash - 1] != '/') slash--;
    memcpy(name, path + slash, n - slash);
    name[n - slash] = 0;
    size_t plen = slash > 1 ? slash - 1 : (slash == 1 ? 1 : 0);
    if (plen == 0) { parent[0] = '/'; parent[1] = 0; return; }
    memcpy(parent, path, plen);
    parent[plen] = 0;
}

/// Creates every missing directory of `path` inside the root; with `last_is_file` the last
/// component is an empty file. A dangling symlink on the way is followed the way the kernel
/// resolves it inside the root (its target is created instead). Returns an O_PATH fd of the
/// result, or -1 with errno (ELOOP after 40 symlinks).
static int make_in_root_depth(int root, const char *path, int last_is_file, int depth);
static int make_in_root(int root, const char *path, int last_is_file) {
    return make_in_root_depth(root, path, last_is_file, 0);
}

static int make_in_root_depth(int root, const char *path, int last_is_file, int depth) {
    if (depth > 40) { errno = ELOOP; return -1; }
    int fd = open_in_root(root, path, O_PATH);
    if (fd >= 0 || errno != ENOENT) return fd;
    char parent[PATH_MAX], name[NAME_MAX + 1];
    size_t n = strlen(path);
    if (n >= PATH_MAX) { errno = ENAMETOOLONG; return -1; }
    // Split by hand (no csys_child_fail here: callers report with their own stage).
    while (n > 1 && path[n - 1] == '/') n--;
    size_t slash = n;
    while (slash > 0 && path[slash - 1] != '/') slash--;
    if (n - slash == 0 || n - slash > NAME_MAX) { errno = n - slash == 0 ? EINVAL : ENAMETOOLONG; return -1; }
    memcpy(name, path + slash, n - slash);
    name[n - slash] = 0;
    size_t plen = slash > 1 ? slash - 1 : 1;
    memcpy(parent, path, plen);
    parent[plen] = 0;
    int dir = strcmp(parent, "/") == 0 ? open_in_root(root, "/", O_PATH | O_DIRECTORY) : make_in_root_depth(root, parent, 0, depth + 1);
    if (dir < 0) return -1;
    int rc;
    if (last_is_file) {
        // O_NOFOLLOW|O_EXCL: a symlink (dangling or not) planted here is never followed.
        rc = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) close(rc);
    } else {
        rc = mkdirat(dir, name, 0755);
    }
    if (rc < 0 && errno != EEXIST) { int e = errno; close(dir); errno = e; return -1; }
    fd = open_in_root(root, path, O_PATH);
    if (fd < 0 && errno == ENOENT) {
        // The name exists but does not resolve: a dangling symlink. Create what it points
        // to, read relative to its directory (absolute targets are relative to the root).
        char link[PATH_MAX], next[PATH_MAX];
        ssize_t n = readlinkat(dir, name, link, sizeof(link) - 1);
        if (n > 0) {
            link[n] = 0;
            int w = link[0] == '/' ? snprintf(next, sizeof(next), "%s", link)
                                   : snprintf(next, sizeof(next), "%s/%s", parent, link);
            if (w > 0 && w < (int)sizeof(next)) {
                int target = make_in_root_depth(root, next, last_is_file, depth + 1);
                if (target >= 0) close(target);
                fd = open_in_root(root, path, O_PATH);
            }
        }
        if (fd < 0 && errno == 0) errno = ENOENT;
    }
    int saved = errno;
    close(dir);
    errno = saved;
    return fd;
}

static void fd_path(char *out, int fd) { snprintf(out, 64, "/proc/self/fd/%d", fd); }

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

/// The mount point for `m` inside the root: created if missing, resolved without leaving the
/// root; `target` gets a /proc/self/fd path for it. Returns the fd (close after mounting).
static int mount_point(int root, const struct csys_container_config *c, const struct csys_mount *m, int is_file,
                       char *target, int sock) {
    if (root < 0) {
        // No openat2 (kernel < 5.6): the plain join, as before.
        join_path(target, c->rootfs, m->destination, sock);
        if (make_mountpoint(target, is_file) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "creating mount point %s", m->destination);
        return -1;
    }
    int fd = make_in_root(root, m->destination, is_file);
    if (fd < 0) {
        if (errno == ELOOP || errno == EXDEV)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "mount destination %s: its symlinks do not resolve inside the rootfs", m->destination);
        csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "creating mount point %s inside the rootfs", m->destination);
    }
    fd_path(target, fd);
    return fd;
}

/// After mounting on `*fd`, the fd still names the covered directory: reopen the destination
/// so remounts and propagation changes apply to the new mount.
static void reopen_mount_point(int root, const struct csys_mount *m, int *fd, char *target, int sock) {
    if (root < 0) return;
    close(*fd);
    *fd = open_in_root(root, m->destination, O_PATH);
    if (*fd < 0) csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "reopening mount point %s", m->destination);
    fd_path(target, *fd);
}

static void do_mount(const struct csys_container_config *c, int root, const struct csys_mount *m, int sock) {
    char target[PATH_MAX];
    int fd;
    if (m->bind) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "bind mount source %s", m->source);
        fd = mount_point(root, c, m, !S_ISDIR(st.st_mode), target, sock);
        unsigned long bind_flags = MS_BIND | (m->bind == 2 ? MS_REC : 0);
        if (mount(m->source, target, NULL, bind_flags, NULL) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "bind mount %s on %s", m->source, m->destination);
        reopen_mount_point(root, m, &fd, target, sock);
        if (m->flags != 0 && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | m->flags, NULL) < 0)
            csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "remounting %s with its options", m->destination);
    } else {
        fd = mount_point(root, c, m, 0, target, sock);
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
        if (m->propagation != 0) reopen_mount_point(root, m, &fd, target, sock);
    }
    if (m->propagation != 0 && mount(NULL, target, NULL, m->propagation, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_MOUNTS, errno, "setting propagation of %s", m->destination);
    if (fd >= 0) close(fd);
}

static void make_device_legacy(const char *rootfs, const struct csys_device *d, int sock);

/// mknod inside the root: the parent is resolved in the root, the node made relative to it.
static void make_device(int root, const char *rootfs, const struct csys_device *d, int sock) {
    if (root < 0) { make_device_legacy(rootfs, d, sock); return; }
    char parent[PATH_MAX], name[NAME_MAX + 1];
    split_path(d->path, parent, name, sock);
    if (name[0] == 0) csys_child_fail(sock, CSYS_STAGE_DEVICES, EINVAL, "device path %s", d->path);
    int dir = strcmp(parent, "/") == 0 ? open_in_root(root, "/", O_PATH | O_DIRECTORY) : make_in_root(root, parent, 0);
    if (dir < 0) csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "directory of device %s inside the rootfs", d->path);
    mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    if (mknodat(dir, name, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0) {
        if (errno == EEXIST) { close(dir); return; }
        csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "mknod %s", d->path);
    }
    if (fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
        csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "chown %s", d->path);
    // mknod is subject to the umask; set the exact mode (the node was just made: not a symlink).
    if (fchmodat(dir, name, d->mode & 07777, 0) < 0) csys_child_fail(sock, CSYS_STAGE_DEVICES, errno, "chmod %s", d->path);
    close(dir);
}

static void make_device_legacy(const char *rootfs, const struct csys_device *d, int sock) {
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

static void make_dev_links(int root, const char *rootfs) {
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
        {"/proc/kcore", "/dev/core"},
    };
    if (root >= 0) {
        // Relative to /dev as resolved inside the root.
        int dev = open_in_root(root, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0) return;
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
            if (symlinkat(links[i][0], dev, links[i][1] + 5) < 0) { /* /dev may be read-only: not fatal */ }
        }
        struct stat st;
        if (fstatat(dev, "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
            unlinkat(dev, "ptmx", 0);
            if (symlinkat("pts/ptmx", dev, "ptmx") < 0) { /* keep going: only terminals need it */ }
        }
        close(dev);
        return;
    }
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

    // The rootfs (now its own bind mount) as the root every destination resolves in; -1 on
    // kernels without openat2, which fall back to plain path joins.
    int root = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "opening rootfs %s", c->rootfs);
    int probe = open_in_root(root, "/", O_PATH | O_DIRECTORY);
    if (probe < 0) {
        if (errno != ENOSYS) csys_child_fail(sock, CSYS_STAGE_ROOTFS, errno, "openat2 in rootfs %s", c->rootfs);
        close(root);
        root = -1;
    } else {
        close(probe);
    }

    int dev_mounted = 0;
    for (size_t i = 0; i < c->mount_count; i++) {
        do_mount(c, root, &c->mounts[i], sock);
        if (strcmp(c->mounts[i].destination, "/dev") == 0) dev_mounted = 1;
    }
    if (dev_mounted) {
        for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
            make_device(root, c->rootfs, &default_devices[i], sock);
        make_dev_links(root, c->rootfs);
    }
    for (size_t i = 0; i < c->device_count; i++) make_device(root, c->rootfs, &c->devices[i], sock);
    if (root >= 0) close(root);

    // createContainer: in the container's mount namespace with its mounts in place, paths
    // still resolved in the runtime's root (runtime-spec), so before pivot_root.
    if (c->create_container_hooks.count > 0) csys_child_run_hooks(&c->create_container_hooks, "createContainer", sock, 0, -1);

    // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new.
    if (chdir(c->rootfs) < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "chdir %s", c->rootfs);
    if (syscall(SYS_pivot_root, ".", ".") < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "pivot_root %s", c->rootfs);
    // The old root is now stacked on "."; keep its unmount from propagating to the host.
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "making the old root a slave");
    if (umount2(".", MNT_DETACH) < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "detaching the old root");
    if (chdir("/") < 0) csys_child_fail(sock, CSYS_STAGE_PIVOT_ROOT, errno, "chdir /");
}
