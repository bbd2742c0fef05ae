#define _GNU_SOURCE
#include "csys_seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int action_from_name(const char *name, int has_errno, unsigned int errno_ret, uint32_t *out) {
    unsigned int e = has_errno ? errno_ret : EPERM;
    if (strcmp(name, "SCMP_ACT_ALLOW") == 0) *out = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0) *out = SCMP_ACT_ERRNO(e);
    else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0) *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0) *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0) *out = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0) *out = SCMP_ACT_TRACE(e);
    else if (strcmp(name, "SCMP_ACT_LOG") == 0) *out = SCMP_ACT_LOG;
    else return -1;
    return 0;
}

static int op_from_name(const char *name, enum scmp_compare *out) {
    static const struct { const char *n; enum scmp_compare op; } ops[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(name, ops[i].n) == 0) { *out = ops[i].op; return 0; }
    return -1;
}

static uint32_t arch_from_name(const char *name) {
    const char *p = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
    char lower[32];
    size_t n = strlen(p);
    if (n >= sizeof(lower)) return 0;
    for (size_t i = 0; i <= n; i++) lower[i] = (char)tolower((unsigned char)p[i]);
    return seccomp_arch_resolve_name(lower);
}

int csys_seccomp_compile(const struct csys_seccomp_profile *p, void **bpf, size_t *len, char *err, size_t err_len) {
    uint32_t def;
    if (action_from_name(p->default_action, p->has_default_errno, p->default_errno, &def) < 0) {
        snprintf(err, err_len, "unknown seccomp defaultAction %s", p->default_action);
        return -1;
    }
    scmp_filter_ctx ctx = seccomp_init(def);
    if (ctx == NULL) { snprintf(err, err_len, "seccomp_init failed"); return -1; }
    int rc;
    for (size_t i = 0; i < p->arch_count; i++) {
        uint32_t arch = arch_from_name(p->architectures[i]);
        if (arch == 0) { snprintf(err, err_len, "unknown seccomp architecture %s", p->architectures[i]); goto fail; }
        rc = seccomp_arch_add(ctx, arch);
        if (rc < 0 && rc != -EEXIST) { snprintf(err, err_len, "seccomp_arch_add %s: %s", p->architectures[i], strerror(-rc)); goto fail; }
    }
    for (size_t r = 0; r < p->rule_count; r++) {
        const struct csys_seccomp_rule *rule = &p->rules[r];
        uint32_t action;
        if (action_from_name(rule->action, rule->has_errno, rule->errno_ret, &action) < 0) {
            snprintf(err, err_len, "unknown seccomp action %s", rule->action);
            goto fail;
        }
        if (action == def) continue; // libseccomp refuses rules that repeat the default
        struct scmp_arg_cmp cmps[6];
        if (rule->arg_count > 6) { snprintf(err, err_len, "seccomp rule with more than 6 args"); goto fail; }
        for (size_t a = 0; a < rule->arg_count; a++) {
            enum scmp_compare op;
            if (op_from_name(rule->args[a].op, &op) < 0) { snprintf(err, err_len, "unknown seccomp operator %s", rule->args[a].op); goto fail; }
            cmps[a].arg = rule->args[a].index;
            cmps[a].op = op;
            cmps[a].datum_a = rule->args[a].value;
            cmps[a].datum_b = rule->args[a].value_two;
        }
        for (size_t n = 0; n < rule->name_count; n++) {
            int nr = seccomp_syscall_resolve_name(rule->names[n]);
            if (nr == __NR_SCMP_ERROR) continue; // unknown to this libseccomp/arch: nothing to filter
            rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)rule->arg_count, rule->arg_count ? cmps : NULL);
            if (rc < 0 && nr >= 0) {
                snprintf(err, err_len, "seccomp rule for %s: %s", rule->names[n], strerror(-rc));
                goto fail;
            }
        }
    }
    int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
    if (fd < 0) { snprintf(err, err_len, "memfd_create: %s", strerror(errno)); goto fail; }
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) { snprintf(err, err_len, "seccomp_export_bpf: %s", strerror(-rc)); close(fd); goto fail; }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0) { snprintf(err, err_len, "seccomp_export_bpf produced no program"); close(fd); goto fail; }
    void *buf = malloc((size_t)size);
    if (buf == NULL || pread(fd, buf, (size_t)size, 0) != size) {
        snprintf(err, err_len, "reading the seccomp program failed");
        free(buf);
        close(fd);
        goto fail;
    }
    close(fd);
    seccomp_release(ctx);
    *bpf = buf;
    *len = (size_t)size;
    return 0;
fail:
    seccomp_release(ctx);
    return -1;
}
