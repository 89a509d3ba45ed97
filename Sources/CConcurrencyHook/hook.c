#include "CConcurrencyHook.h"

#include <stdatomic.h>
#include <stddef.h>

// Declared by the Swift runtime (swift/Runtime/Concurrency.h): called for every job enqueued on the
// global executor, with the runtime's own enqueue as the second argument.
typedef void (*dutyd_original_enqueue)(void *job);
typedef void (*dutyd_enqueue_hook)(void *job, dutyd_original_enqueue original);
extern _Atomic(dutyd_enqueue_hook) swift_task_enqueueGlobal_hook;

static void (*_Atomic dutyd_enqueue)(void *job);

static void dutyd_hook(void *job, dutyd_original_enqueue original) {
    (void)original;
    atomic_load_explicit(&dutyd_enqueue, memory_order_relaxed)(job);
}

int dutyd_take_over_global_executor(void (*enqueue)(void *job)) {
    atomic_store_explicit(&dutyd_enqueue, enqueue, memory_order_relaxed);
    dutyd_enqueue_hook expected = NULL;
    return atomic_compare_exchange_strong(&swift_task_enqueueGlobal_hook, &expected, dutyd_hook) ? 1 : 0;
}
