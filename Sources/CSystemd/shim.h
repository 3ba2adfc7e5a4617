#ifndef VIGIL_CSYSTEMD_SHIM_H
#define VIGIL_CSYSTEMD_SHIM_H
// libsystemd: sd_notify/sd_watchdog_enabled (sd-daemon.h) and the journal (sd-journal.h).
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
