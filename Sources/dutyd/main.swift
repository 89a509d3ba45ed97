import ArgumentParser
import CConcurrencyHook
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// dutyd runs its tasks on NIO's event loops and sleeps on their timers, and takes its signals with
// sigwait(2) on a thread of its own: an idle service then has no libdispatch worker, whose pool monitor
// would wake it every second (see SignalWaiter). The order matters: parse (no thread exists yet),
// block the service's signals so every thread made afterwards inherits the mask, install the executor.
let command: Dutyd
do {
    let parsed = try Dutyd.parseAsRoot()
    guard let dutyd = parsed as? Dutyd else {
        // `--help`, `-h`: ArgumentParser answers with a command of its own, which prints the help.
        var other = parsed
        try other.run()
        Dutyd.exit()
    }
    command = dutyd
} catch {
    Dutyd.exit(withError: error)
}
if !command.once {
    SignalWaiter.block(Dutyd.serviceSignals)
}
if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
    // Swift's runtime linked in statically (the .deb's build): NIO looks the hook up with dlsym, which
    // cannot see it there, and every task would run on libdispatch's threads. The linker can.
    if dutyd_take_over_global_executor(enqueueOnEventLoops) == 0 {
        // Someone set the hook first: dutyd still works, on libdispatch's threads, which wake it every
        // second. Said once, where systemd's journal takes it.
        FileHandle.standardError.write(
            Data(
                "dutyd: warning: its tasks run on libdispatch's threads, not its own event loops (Swift's executor hook was already set), so an idle dutyd wakes every second; please report this with the output of dutyd --version\n"
                    .utf8
            )
        )
    }
}
let finished = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
finished.completeWithTask { try await command.run() }
do {
    try finished.futureResult.wait()
} catch {
    Dutyd.exit(withError: error)
}
