#ifndef DUTYD_CCONCURRENCYHOOK_H
#define DUTYD_CCONCURRENCYHOOK_H

/// The Swift runtime's global-enqueue hook (swift_task_enqueueGlobal_hook), reached by the linker
/// instead of dlsym: in a build with Swift's runtime linked in statically (the .deb's), the symbol is
/// in no dynamic symbol table, so NIO's own take-over, which looks it up with dlsym, fails there.
/// Sets it to `hook` (called with each job and the runtime's own enqueue) when it is unset; returns 1
/// if set.
int dutyd_take_over_global_executor(void (*hook)(void *job, void (*original)(void *job)));

#endif
