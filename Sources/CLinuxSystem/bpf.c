#define _GNU_SOURCE
#include "csys_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/// A cgroup rarely has more than one device program; this bounds the query.
#define CSYS_BPF_MAX_PROGRAMS 64

static int sys_bpf(int cmd, union bpf_attr *attr) {
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/// The ids of the device programs attached directly to the cgroup `fd`.
static int query_ids(int fd, uint32_t *ids, uint32_t capacity) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.query.prog_cnt = capacity;
    if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) return -1;
    return (int)attr.query.prog_cnt;
}

/// Detaches the program with `id` from the cgroup `fd`; a program that vanished meanwhile is fine.
static int detach_id(int fd, uint32_t id) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    int prog = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (prog < 0) return errno == ENOENT ? 0 : -1;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)fd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    int rc = sys_bpf(BPF_PROG_DETACH, &attr);
    int saved = errno;
    close(prog);
    errno = saved;
    return rc < 0 && errno != ENOENT ? -1 : 0;
}

int csys_bpf_device_install(const void *insns, uint32_t insn_count, const char *cgroup_dir,
                            char *log, size_t log_size) {
    if (log != NULL && log_size > 0) log[0] = 0;
    int cgroup = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup < 0) return -1;
    uint32_t old[CSYS_BPF_MAX_PROGRAMS];
    int old_count = query_ids(cgroup, old, CSYS_BPF_MAX_PROGRAMS);
    if (old_count < 0) { int e = errno; close(cgroup); errno = e; return -1; }

    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = insn_count;
    attr.license = (uint64_t)(uintptr_t)"Apache-2.0";
    int prog = sys_bpf(BPF_PROG_LOAD, &attr);
    if (prog < 0 && log != NULL && log_size > 1) {
        // Load again with the verifier log only on failure: logging slows every load.
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = (uint32_t)(log_size > UINT32_MAX ? UINT32_MAX : log_size);
        attr.log_level = 1;
        prog = sys_bpf(BPF_PROG_LOAD, &attr);
        if (prog >= 0) { close(prog); prog = -1; errno = EINVAL; }
    }
    if (prog < 0) { int e = errno; close(cgroup); errno = e; return -1; }

    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    int rc = sys_bpf(BPF_PROG_ATTACH, &attr);
    int saved = errno;
    // The attachment holds its own reference; the program lives as long as it is attached.
    close(prog);
    if (rc < 0) { close(cgroup); errno = saved; return -1; }
    // Both programs are active until the old ones go: briefly stricter, never looser.
    for (int i = 0; i < old_count; i++) {
        if (detach_id(cgroup, old[i]) < 0) { saved = errno; close(cgroup); errno = saved; return -1; }
    }
    close(cgroup);
    return 0;
}

int csys_bpf_device_detach_all(const char *cgroup_dir) {
    int cgroup = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup < 0) return -1;
    uint32_t ids[CSYS_BPF_MAX_PROGRAMS];
    int count = query_ids(cgroup, ids, CSYS_BPF_MAX_PROGRAMS);
    for (int i = 0; i < count; i++) {
        if (detach_id(cgroup, ids[i]) < 0) { int e = errno; close(cgroup); errno = e; return -1; }
    }
    int saved = errno;
    close(cgroup);
    errno = saved;
    return count;
}

int csys_bpf_device_count(const char *cgroup_dir) {
    int cgroup = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup < 0) return -1;
    uint32_t ids[CSYS_BPF_MAX_PROGRAMS];
    int count = query_ids(cgroup, ids, CSYS_BPF_MAX_PROGRAMS);
    int saved = errno;
    close(cgroup);
    errno = saved;
    return count;
}
