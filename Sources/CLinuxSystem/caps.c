#include "csys_caps.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

int csys_cap_from_name(const char *name) {
    char lower[64];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof(lower)) return -1;
    for (size_t i = 0; i <= n; i++) lower[i] = (char)tolower((unsigned char)name[i]);
    cap_value_t value;
    if (cap_from_name(lower, &value) != 0) return -1;
    return (int)value;
}

int csys_cap_last_cap(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CAP_LAST_CAP;
    char buf[16] = {0};
    ssize_t r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (r <= 0) return CAP_LAST_CAP;
    return atoi(buf);
}
