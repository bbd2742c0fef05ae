// Helpers shared by the container child, the exec child and the monitor. Everything here
// runs after fork in a process that must not allocate: fixed buffers, syscalls, no stdio FILE.
#ifndef CSYS_INTERNAL_H
#define CSYS_INTERNAL_H

#include "csys_container.h"
#include "csys_wrappers.h"

/// Sends an error report (stage, errno, formatted message) on `sock` and exits with 1.
__attribute__((noreturn, format(printf, 4, 5)))
void csys_child_fail(int sock, int stage, int err, const char *fmt, ...);

/// Sends a report of `kind` on `sock`; errors ignored (the reader may be gone).
void csys_send_report(int sock, const struct csys_report *report);

/// Reads one report; returns 1 on a report, 0 on EOF, -1 on error.
int csys_read_report(int sock, struct csys_report *report);

/// Sets up the process (rlimits, oom score, umask, cwd, credentials, capabilities,
/// no_new_privs, seccomp) and execs it; on failure reports on `sock` and exits.
__attribute__((noreturn))
void csys_process_exec(const struct csys_process *p, int sock, int exec_fifo_fd, const struct csys_hooks *start_hooks);

/// Runs the hooks of one lifecycle point in the container child, in order; the first that
/// fails, times out or cannot start ends the child with a CSYS_STAGE_HOOKS report naming it
/// and its output (also on stderr when `also_stderr`: after `start`, nobody reads the socket).
// Runs hooks in the child; the first failure ends the child through csys_child_fail. With
// result_fd >= 0 (the exec fifo, for `start`) the failure is also written there as "1<message>".
void csys_child_run_hooks(const struct csys_hooks *hooks, const char *what, int sock, int also_stderr, int result_fd);

/// Mount setup, pivot_root and path hiding for the container child.
void csys_setup_rootfs(const struct csys_container_config *c, int sock);

/// Opens a pty in the current mount namespace's /dev/ptmx, sends its master and a slave fd
/// over `pty_sock`, makes the slave the controlling terminal and stdio; fails via `sock`.
void csys_setup_terminal(int pty_sock, int sock);

/// mkdir -p, with mode 0755.
int csys_mkdir_p(const char *path);

/// The monitor's main loop: owns stdio, waits for the container, records its exit.
__attribute__((noreturn))
void csys_monitor_run(const struct csys_container_config *c, const struct csys_monitor_config *m,
                      int child_sock, int monitor_sock);

#endif
