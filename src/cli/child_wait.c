/* child_wait.c - the wait-and-forward loop of the parents of watch's workers (child_wait.h):
 * the stop signals are blocked but inside ppoll(2) and passed on with kill(2), the children
 * reaped with waitpid(2). */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <sys/wait.h>

#include "child_wait.h"
#include "cli.h"

void np_child_block_stops(sigset_t *old)
{
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, old);
}

static void on_forward(int sig)
{
	np_stop_requested = sig; /* passed on by np_child_poll */
}

void np_child_catch_stops(void)
{
	np_catch_stop_signals(on_forward);
}

void np_child_signal(const pid_t *children, unsigned n, int sig)
{
	for (unsigned i = 0; i < n; i++)
		kill(children[i], sig);
}

int np_child_poll(struct pollfd *pfd, nfds_t nfd, const sigset_t *old, const pid_t *children,
		  unsigned n)
{
	for (;;) {
		int rc = ppoll(pfd, nfd, NULL, old);
		if (rc >= 0 || errno != EINTR)
			return rc < 0 ? -1 : rc;
		int sig = np_stop_requested;
		np_stop_requested = 0;
		if (sig)
			np_child_signal(children, n, sig);
	}
}

int np_child_reap(pid_t child, int *wstatus, int *exit)
{
	while (waitpid(child, wstatus, 0) < 0)
		if (errno != EINTR)
			return -1;
	*exit = WIFSIGNALED(*wstatus) ? 128 + WTERMSIG(*wstatus) : WEXITSTATUS(*wstatus);
	return 0;
}
