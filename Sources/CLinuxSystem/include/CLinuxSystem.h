// CLinuxSystem: the C half of skiff's container runtime.
//
// Why C: after clone() the container child must not touch the Swift runtime (no allocator
// locks, no metadata caches, no threads). Everything it needs is prepared by the parent in
// plain C structs (below) before the fork; the child only reads them and makes syscalls.
// The monitor that owns a container's stdio is forked C too, so a container outlives the
// skiff process that started it without paying for a re-exec.
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "csys_wrappers.h"
#include "csys_container.h"
#include "csys_seccomp.h"
#include "csys_caps.h"
#include "csys_bpf.h"
#include "csys_hooks.h"

#endif
