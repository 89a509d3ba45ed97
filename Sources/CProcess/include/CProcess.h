#pragma once
/* What dutyd's command runner (DutyNotify/Hooks/CommandRunner.swift) needs from Linux that Swift's
   Glibc module does not offer: posix_spawn with a session of its own and clean signals, a pidfd for the
   child (it becomes readable when the child exits, so one poll(2) waits for output, input and exit
   together), and pipes created close-on-exec. */
#include <sys/types.h>

/* Starts argv[0] (searched in PATH when it has no slash) with envp, stdin from in_fd, stdout and stderr
   to out_fd, every other descriptor closed, a new session (so its process group is its pid), an empty
   signal mask and every signal at its default action. Returns 0 and sets *pid, or an errno value. */
int duty_spawn(char *const argv[], char *const envp[], int in_fd, int out_fd, pid_t *pid);

/* pidfd_open(2); -1 with errno set on failure (kernels before 5.3). */
int duty_pidfd_open(pid_t pid);

/* pipe2(fds, O_CLOEXEC); 0 or -1 with errno. */
int duty_pipe_cloexec(int fds[2]);

/* Names the calling thread as ps, top -H and /proc show it (15 bytes at most); 0 or an errno. */
int duty_name_this_thread(const char *name);

/* malloc_trim(0): gives memory freed since the last time back to the system; 1 if any was. */
int duty_return_freed_memory(void);
