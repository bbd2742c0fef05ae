// Seccomp: compile an OCI `linux.seccomp` section to a BPF program with libseccomp, in the
// parent, so the container child only has to hand the ready program to the kernel.
#ifndef CSYS_SECCOMP_H
#define CSYS_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

struct csys_seccomp_arg {
    unsigned int index;
    uint64_t value;
    uint64_t value_two;
    const char *op;            // SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, …
};

struct csys_seccomp_rule {
    const char *const *names;
    size_t name_count;
    const char *action;        // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, …
    int has_errno;
    unsigned int errno_ret;
    const struct csys_seccomp_arg *args;
    size_t arg_count;
};

struct csys_seccomp_profile {
    const char *default_action;
    int has_default_errno;
    unsigned int default_errno;
    const char *const *architectures; // SCMP_ARCH_X86_64, …
    size_t arch_count;
    const struct csys_seccomp_rule *rules;
    size_t rule_count;
};

/// Compiles `profile`; on success *bpf is a malloc'ed struct sock_filter[] of *len bytes.
/// On failure returns -1 and writes a message naming the bad field into err.
int csys_seccomp_compile(const struct csys_seccomp_profile *profile, void **bpf, size_t *len,
                         char *err, size_t err_len);

#endif
