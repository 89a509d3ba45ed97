#define _GNU_SOURCE
#include "CProcess.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

int duty_spawn(char *const argv[], char *const envp[], int in_fd, int out_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int err = posix_spawn_file_actions_init(&actions);
    if (err != 0) return err;
    err = posix_spawnattr_init(&attr);
    if (err != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return err;
    }
    /* dup2 clears close-on-exec on the target; the source pipes are close-on-exec already. */
    if (!err) err = posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (!err) err = posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (!err) err = posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
    if (!err) err = posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (!err) err = posix_spawnattr_setsigmask(&attr, &none);
    if (!err) err = posix_spawnattr_setsigdefault(&attr, &all);
    if (!err)
        err = posix_spawnattr_setflags(
            &attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!err) err = posix_spawnp(pid, argv[0], &actions, &attr, argv, envp);

    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return err;
}

int duty_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int duty_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int duty_name_this_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int duty_return_freed_memory(void) { return malloc_trim(0); }
