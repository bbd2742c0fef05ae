// Capability names → numbers (libcap), resolved in the parent.
#ifndef CSYS_CAPS_H
#define CSYS_CAPS_H

/// The number of a capability named like `CAP_CHOWN` (case-insensitive), or -1.
int csys_cap_from_name(const char *name);
/// The highest capability the running kernel knows.
int csys_cap_last_cap(void);

#endif
