/* child_wait.h - what the parents of watch's worker processes share (-w FILE: watch_split.c,
 * -C/-G: watch_rotate.c, --fanout: watch_fanout.c): the stop signals held back except while
 * the parent waits on its children's pipes, passed on to the children as they come, and the
 * children's end. Each parent keeps its own way of stopping. The calls are the ones the
 * parents' sandboxes allow (sandbox.c: ppoll, kill, wait4). */
#ifndef NETPROBE_CLI_CHILD_WAIT_H
#define NETPROBE_CLI_CHILD_WAIT_H

#include <poll.h>
#include <signal.h>
#include <sys/types.h>

/* Block SIGINT, SIGTERM and SIGHUP (before the fork: none is lost to a child not yet
 * listening); *old receives the mask that was in force. */
void np_child_block_stops(sigset_t *old);

/* The parent's stop handler: it records the signal for np_child_poll to pass on. */
void np_child_catch_stops(void);

/* ppoll(2) on pfd with the mask *old (the stop signals come in only there, so none is lost
 * between a check and the wait); a stop signal that comes is sent on to each of the n
 * children, and the wait goes on. Returns ppoll's count, or -1 on an error other than EINTR. */
int np_child_poll(struct pollfd *pfd, nfds_t nfd, const sigset_t *old, const pid_t *children,
		  unsigned n) __attribute__((warn_unused_result));

/* kill(2) sig to each of the n children. */
void np_child_signal(const pid_t *children, unsigned n, int sig);

/* waitpid(2) for child, past EINTR. 0, or -1 with errno set. *exit: 128+N when it died of
 * signal N, else its exit status. */
int np_child_reap(pid_t child, int *wstatus, int *exit) __attribute__((warn_unused_result));

#endif
