#pragma once
/* libsystemd for Swift. The variadic calls (sd_journal_send, sd_notifyf) cannot be called from Swift;
   dutyd uses sd_journal_sendv and sd_notify, which are not variadic. */
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
