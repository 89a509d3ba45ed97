#include "CConcurrencyHook.h"

#include <stdatomic.h>
#include <stddef.h>

// Declared by the Swift runtime (swift/Runtime/Concurrency.h): called for every job enqueued on the
// global executor, with the runtime's own enqueue as the second argument.
typedef void (*dutyd_enqueue_hook)(void *job, void (*original)(void *job));
extern _Atomic(dutyd_enqueue_hook) swift_task_enqueueGlobal_hook;

int dutyd_take_over_global_executor(dutyd_enqueue_hook hook) {
    dutyd_enqueue_hook expected = NULL;
    return atomic_compare_exchange_strong(&swift_task_enqueueGlobal_hook, &expected, hook) ? 1 : 0;
}
