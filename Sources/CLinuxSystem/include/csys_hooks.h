// OCI lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks"): one program run with
// the container's state JSON on stdin, killed when its timeout passes. The same runner serves
// the hooks skiff runs itself (prestart, createRuntime, poststart, poststop) and those the
// container child runs inside the container's namespaces (createContainer, startContainer),
// so it is plain C that is safe after fork.
#ifndef CSYS_HOOKS_H
#define CSYS_HOOKS_H

#include <stddef.h>
#include <sys/types.h>

struct csys_hook {
    const char *path;          // absolute; resolved in the namespace the hook runs in
    const char *const *argv;   // NULL-terminated; argv[0] as the spec gives it (path if none)
    const char *const *envp;   // NULL-terminated (may be empty)
    int timeout;               // seconds; <= 0: none
};

/// The hooks one lifecycle point runs in the container child, with the state JSON around the
/// pid: the child writes `state_before_pid`, its own pid, then `state_after_pid`.
struct csys_hooks {
    const struct csys_hook *hooks;
    size_t count;
    const char *state_before_pid;
    const char *state_after_pid;
};

enum { CSYS_HOOK_OK = 0, CSYS_HOOK_FAILED = 1, CSYS_HOOK_TIMED_OUT = 2, CSYS_HOOK_NOT_STARTED = 3 };

/// Runs `hook` with `state` on its stdin and its stdout+stderr captured into `output` (the
/// first `output_size - 1` bytes, NUL-terminated). Returns CSYS_HOOK_OK when it exited 0;
/// CSYS_HOOK_FAILED with `*wait_status` otherwise; CSYS_HOOK_TIMED_OUT after killing it;
/// CSYS_HOOK_NOT_STARTED with `*err` when it could not be started (exec failed: errno).
int csys_run_hook(const struct csys_hook *hook, const char *state, size_t state_len,
                  char *output, size_t output_size, int *wait_status, int *err);

#endif
