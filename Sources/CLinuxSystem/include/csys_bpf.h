// cgroup v2 device control: loading a BPF_PROG_TYPE_CGROUP_DEVICE program and attaching it
// to a cgroup2 directory. bpf(2) has no glibc wrapper, so Swift calls these instead.
#ifndef CSYS_BPF_H
#define CSYS_BPF_H

#include <stddef.h>
#include <stdint.h>

/// Loads `insn_count` eBPF instructions (8 bytes each) as a cgroup device program, attaches
/// it to the cgroup directory `cgroup_dir` (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then
/// detaches every device program that was attached there before, so the new rules replace
/// the old ones. Returns 0, or -1 with errno set and, when the verifier refused the program,
/// its log in `log` (NUL-terminated, `log_size` bytes at most).
int csys_bpf_device_install(const void *insns, uint32_t insn_count, const char *cgroup_dir,
                            char *log, size_t log_size);

/// Detaches every device program attached directly to `cgroup_dir`. Returns how many were
/// detached, or -1 with errno set.
int csys_bpf_device_detach_all(const char *cgroup_dir);

/// How many device programs are attached directly to `cgroup_dir`, or -1 with errno set.
int csys_bpf_device_count(const char *cgroup_dir);

#endif
