/* watch_fanout.c - `watch --fanout N`: N capture-and-decode workers on one interface, joined in
 * one PACKET_FANOUT_HASH group (packet(7)), so that the kernel hands each conversation to one
 * of them, as Zeek, Suricata and Arkime split an interface. Each worker is a whole `watch`
 * run (its own capture handle, privilege drop, sandbox, tracker and printer: watch_run.c);
 * this parent only merges their standard output whole line by whole line, passes stop
 * signals on, and prints the one summary that adds their figures up (left in memory shared
 * before the fork). Here, in src/cli, as the -w split is: the process structure of one
 * command. */
#define _GNU_SOURCE /* pipe2, memrchr */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_wait.h"
#include "cli.h"
#include "netprobe/probe.h"
#include "netprobe/sandbox.h"
#include "watch.h"

/* One worker's output as the parent sees it: a pipe, and the part of a line not yet ended. A
 * line longer than LINE_MAX_BYTES (a JSON packet with a large --payload) goes out in pieces. */
#define LINE_MAX_BYTES (16u << 20)
#define READ_CHUNK (64u << 10)

struct lane {
	int fd;          /* -1: at its end */
	char *buf;
	size_t len, cap;
};

struct merger {
	const struct watch_opts *o;
	unsigned n;
	pid_t pid[NP_FANOUT_MAX];   /* the workers */
	struct lane lane[NP_FANOUT_MAX];
	struct np_fanout_end *ends; /* shared with the workers */
	bool tty;                   /* standard output is a terminal */
	struct timespec t0;         /* the start: the workers' relative times count from it */
	bool out_gone;              /* standard output's reader left */
	int out_errno;              /* standard output failed otherwise */
};

/* write(2) all of it to standard output; on failure, remember why and stop writing. */
static void out_write(struct merger *m, const char *p, size_t len)
{
	while (len && !m->out_gone && !m->out_errno) {
		ssize_t w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE) {
			m->out_gone = true;
		} else if (w < 0) {
			m->out_errno = errno;
		} else {
			p += w;
			len -= (size_t)w;
		}
	}
}

/* The lane's complete lines go out (all of it at its end); the rest waits for its newline. */
static void lane_emit(struct merger *m, struct lane *l, bool at_end)
{
	char *nl = l->len ? memrchr(l->buf, '\n', l->len) : NULL;
	size_t upto = at_end || l->len == l->cap ? l->len : nl ? (size_t)(nl - l->buf) + 1 : 0;
	if (!upto)
		return;
	out_write(m, l->buf, upto);
	memmove(l->buf, l->buf + upto, l->len - upto);
	l->len -= upto;
}

/* Read what the worker wrote. False: its end (end of file or an error). */
static bool lane_read(struct merger *m, struct lane *l)
{
	if (l->cap - l->len < READ_CHUNK && l->cap < LINE_MAX_BYTES) {
		size_t cap = l->cap * 2 > LINE_MAX_BYTES ? LINE_MAX_BYTES : l->cap * 2;
		char *nb = realloc(l->buf, cap);
		if (nb) {
			l->buf = nb;
			l->cap = cap;
		}
	}
	ssize_t r = read(l->fd, l->buf + l->len, l->cap - l->len);
	if (r < 0 && errno == EINTR)
		return true;
	if (r <= 0)
		return false;
	l->len += (size_t)r;
	lane_emit(m, l, false);
	return true;
}

/* Until every worker's output has ended: the stop signals (blocked but inside ppoll) are
 * passed on to every worker. */
static void merge(struct merger *m, const sigset_t *old)
{
	struct pollfd pfd[NP_FANOUT_MAX];
	for (;;) {
		unsigned open = 0;
		for (unsigned i = 0; i < m->n; i++)
			pfd[i] = (struct pollfd){ .fd = m->lane[i].fd, .events = POLLIN };
		for (unsigned i = 0; i < m->n; i++)
			open += m->lane[i].fd >= 0;
		if (!open)
			return;
		if (np_child_poll(pfd, m->n, old, m->pid, m->n) < 0)
			return;
		bool was_gone = m->out_gone || m->out_errno;
		for (unsigned i = 0; i < m->n; i++) {
			struct lane *l = &m->lane[i];
			if (l->fd < 0 || !pfd[i].revents || lane_read(m, l))
				continue;
			lane_emit(m, l, true);
			close(l->fd);
			l->fd = -1;
		}
		if (!was_gone && (m->out_gone || m->out_errno))
			np_child_signal(m->pid, m->n, SIGTERM); /* nobody takes the output */
	}
}

/* The workers' figures added up, as one tracker would have counted them (the busiest
 * conversations: the busiest of all the workers' busiest). */
static void add_track(struct np_track_stats *a, const struct np_track_stats *b)
{
	uint64_t *const sum[] = { &a->packets, &a->ip4, &a->ip6, &a->tcp, &a->udp, &a->icmp,
				  &a->icmp6, &a->arp, &a->other, &a->conversations, &a->completed,
				  &a->refused, &a->reset, &a->closed, &a->unanswered,
				  &a->reset_unacked, &a->open, &a->half_open, &a->evicted,
				  &a->evicted_half_open, &a->expired, &a->evicted_crowded,
				  &a->flood_episodes, &a->app_requests, &a->app_paired,
				  &a->app_unmatched, &a->app_evicted, &a->app_pending, &a->pdu_done,
				  &a->pdu_abandoned, &a->pdu_too_long, &a->pdu_evicted };
	const uint64_t *const add[] = { &b->packets, &b->ip4, &b->ip6, &b->tcp, &b->udp, &b->icmp,
					&b->icmp6, &b->arp, &b->other, &b->conversations,
					&b->completed, &b->refused, &b->reset, &b->closed,
					&b->unanswered, &b->reset_unacked, &b->open, &b->half_open,
					&b->evicted, &b->evicted_half_open, &b->expired,
					&b->evicted_crowded, &b->flood_episodes, &b->app_requests,
					&b->app_paired, &b->app_unmatched, &b->app_evicted,
					&b->app_pending, &b->pdu_done, &b->pdu_abandoned,
					&b->pdu_too_long, &b->pdu_evicted };
	_Static_assert(sizeof sum == sizeof add, "each sum has its addend");
	for (size_t i = 0; i < sizeof sum / sizeof sum[0]; i++)
		*sum[i] += *add[i];
	if (b->hs_count && (!a->hs_count || b->hs_min_ms < a->hs_min_ms))
		a->hs_min_ms = b->hs_min_ms;
	if (b->hs_count && b->hs_max_ms > a->hs_max_ms)
		a->hs_max_ms = b->hs_max_ms;
	a->hs_count += b->hs_count;
	a->hs_sum_ms += b->hs_sum_ms;
	a->max_conv_in_use += b->max_conv_in_use; /* each worker has a table of its own */
	/* (a worker's memory is not trusted further than its bounds) */
	uint32_t nb = b->ntop < NP_TOP_TALKERS ? b->ntop : NP_TOP_TALKERS;
	for (uint32_t k = 0; k < nb; k++) {
		const struct np_talker *t = &b->top[k];
		uint64_t tb = t->bytes[0] + t->bytes[1];
		unsigned i = a->ntop;
		while (i > 0 && a->top[i - 1].bytes[0] + a->top[i - 1].bytes[1] < tb)
			i--;
		if (i == NP_TOP_TALKERS)
			continue;
		unsigned last = a->ntop < NP_TOP_TALKERS ? a->ntop : NP_TOP_TALKERS - 1;
		for (unsigned j = last; j > i; j--)
			a->top[j] = a->top[j - 1];
		a->top[i] = *t;
		if (a->ntop < NP_TOP_TALKERS)
			a->ntop++;
	}
}

/* The end: the workers' figures added up, printed by the printer the workers used. */
static void summarise(const struct merger *m, bool complete)
{
	const struct watch_opts *o = m->o;
	struct np_run_stats rs = { .frames = 0, .shown = 0 };
	struct np_source_stats st = { .frames = 0, .have_kernel = false };
	uint64_t records = 0;
	bool ipfix = false;
	for (unsigned i = 0; i < m->n; i++) {
		const struct np_fanout_end *e = &m->ends[i];
		add_track(&rs.track, &e->rs.track);
		rs.frames += e->rs.frames;
		rs.shown += e->rs.shown;
		st.have_kernel = st.have_kernel || e->kernel;
		st.recv += e->st.recv;
		st.drop += e->st.drop;
		st.ifdrop += e->st.ifdrop; /* (each counted the interface's: the first says it) */
		ipfix = ipfix || (e->ipfix && !e->ipfix_failed);
		records += e->ipfix_records;
	}
	if (m->n)
		st.ifdrop = m->ends[0].st.ifdrop;
	struct np_print_ctx pc;
	struct np_printer pr;
	np_print_init(&pc, stdout, o->tsfmt, false);
	np_printer_init(&pr, &o->out, &pc);
	if (complete && !m->out_gone && !m->out_errno) {
		np_printer_summary(&pr, &rs);
		fflush(stdout);
	}
	np_printer_close(&pr, &rs, m->out_errno ? NP_END_ERROR
				   : m->out_gone ? NP_END_READER_GONE : NP_END_COMPLETE);
	if (st.have_kernel)
		fprintf(stderr, "netprobe: %llu packet%s shown, %llu received by filter, %llu dropped by kernel, %llu dropped by interface (%u workers)\n",
			(unsigned long long)rs.shown, rs.shown == 1 ? "" : "s",
			(unsigned long long)st.recv, (unsigned long long)st.drop,
			(unsigned long long)st.ifdrop, m->n);
	if (ipfix && o->summary)
		fprintf(stderr, "netprobe: IPFIX: %llu record%s sent to %s by %u workers\n",
			(unsigned long long)records, records == 1 ? "" : "s", o->ipfix, m->n);
}

/* The worker's side, after the fork: its lane becomes its standard output; the parent's
 * other descriptors are closed (no exec to close them). Returns its exit status. */
static int worker(const struct watch_opts *o, struct merger *m, unsigned k, int wfd,
		  int ready_fd, const sigset_t *old)
{
	for (unsigned i = 0; i < k; i++)
		close(m->lane[i].fd);
	if (dup2(wfd, STDOUT_FILENO) < 0)
		return NP_EXIT_ERROR;
	close(wfd);
	struct np_fanout_worker w = { .index = k, .n = m->n, .tty = m->tty, .end = &m->ends[k],
				      .ready_fd = ready_fd, .t0_sec = m->t0.tv_sec,
				      .t0_usec = (uint32_t)(m->t0.tv_nsec / 1000) };
	struct watch_opts wo = *o;
	wo.worker = &w;
	wo.summary = false;
	wo.out.summary = false;
	wo.track.id_offset = k; /* conversation numbers unique across the workers */
	wo.track.id_stride = m->n;
	sigprocmask(SIG_SETMASK, old, NULL);
	return np_watch_run(&wo, -1, getppid());
}

/* Worker k's word on its ready pipe: true once it has joined the group (a byte), false when
 * it ended first (end of file: it said why on stderr). */
static bool await_ready(int rfd)
{
	char c;
	ssize_t r;
	while ((r = read(rfd, &c, 1)) < 0 && errno == EINTR)
		;
	close(rfd);
	return r == 1;
}

/* The parent, once every worker is started: no privilege, its own tiny sandbox. */
static int confine_parent(const struct merger *m)
{
	char err[512];
	if ((np_priv_held() && np_priv_drop(err, sizeof err) < 0) ||
	    np_sandbox_enter_merger(m->pid, m->n, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return -1;
	}
	return 0;
}

/* Every worker's end: the worst status (a death by signal N as 128+N). */
static int reap(const struct merger *m)
{
	int status = NP_EXIT_OK;
	for (unsigned i = 0; i < m->n; i++) {
		int st, s;
		if (np_child_reap(m->pid[i], &st, &s) < 0)
			return NP_EXIT_ERROR;
		if (WIFSIGNALED(st))
			np_errorf(CMD, "fanout worker %u died of signal %d", i, WTERMSIG(st));
		if (s > status)
			status = s;
	}
	return status;
}

/* Start the workers one after the other, each once the one before has joined the group: a
 * bad interface or a missing privilege is said once, by the first, and no other starts.
 * Returns how many were started; *all_ready: every one of them joined. */
static unsigned spawn(const struct watch_opts *o, struct merger *m, const sigset_t *old,
		      int *child_status, bool *all_ready)
{
	*all_ready = false;
	for (unsigned k = 0; k < m->n; k++) {
		int p[2], rp[2];
		if (pipe2(p, O_CLOEXEC) < 0 || pipe2(rp, O_CLOEXEC) < 0) {
			np_errorf(CMD, "pipe: %s", strerror(errno));
			return k;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			close(rp[0]);
			*child_status = worker(o, m, k, p[1], rp[1], old);
			return 0;
		}
		close(p[1]);
		close(rp[1]);
		if (pid < 0) {
			np_errorf(CMD, "fork: %s", strerror(errno));
			close(p[0]);
			close(rp[0]);
			return k;
		}
		m->pid[k] = pid;
		m->lane[k] = (struct lane){ .fd = p[0], .cap = READ_CHUNK * 2 };
		m->lane[k].buf = malloc(m->lane[k].cap);
		if (!m->lane[k].buf)
			m->lane[k].cap = 0;
		if (!await_ready(rp[0]))
			return k + 1;
	}
	*all_ready = true;
	return m->n;
}

int np_watch_fanout(const struct watch_opts *o)
{
	struct merger m = { .o = o, .n = o->fanout, .tty = isatty(STDOUT_FILENO) };
	clock_gettime(CLOCK_REALTIME, &m.t0);
	struct watch_opts go = *o;
	go.fanout_group = o->fanout_group_given ? o->fanout_group : (uint16_t)getpid();
	m.ends = mmap(NULL, sizeof *m.ends * m.n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (m.ends == MAP_FAILED) {
		np_errorf(CMD, "--fanout: %s", strerror(errno));
		return NP_EXIT_ERROR;
	}
	sigset_t old;
	np_child_block_stops(&old);
	fflush(NULL); /* nothing buffered is written twice */
	int child_status = -1;
	bool ok;
	m.n = spawn(&go, &m, &old, &child_status, &ok);
	if (child_status >= 0)
		return child_status; /* a worker, at its end */
	np_stop_requested = 0; /* the workers have it; the parent only forwards what comes now */
	np_child_catch_stops();
	if (ok) /* so that a script knows when the traffic it sends is shared out */
		fprintf(stderr, "netprobe: %u worker%s in fanout group %u\n", m.n, m.n == 1 ? "" : "s",
			(unsigned)(uint16_t)go.fanout_group);
	else
		np_child_signal(m.pid, m.n, SIGTERM);
	if (ok && confine_parent(&m) < 0) {
		ok = false;
		np_child_signal(m.pid, m.n, SIGTERM);
	}
	merge(&m, &old);
	int status = reap(&m);
	bool complete = ok && status == NP_EXIT_OK;
	for (unsigned i = 0; i < m.n; i++) {
		complete = complete && m.ends[i].done && m.ends[i].complete;
		free(m.lane[i].buf);
	}
	if (ok && m.n)
		summarise(&m, complete);
	if (m.out_errno) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(m.out_errno));
		status = NP_EXIT_ERROR;
	}
	return ok ? status : NP_EXIT_ERROR;
}

void np_fanout_record(const struct watch_opts *o, const struct np_run_stats *rs,
		      const struct np_source_stats *st, enum np_run_end end)
{
	struct np_fanout_end *e = o->worker->end;
	e->rs = *rs;
	e->st = *st;
	e->kernel = st->have_kernel;
	e->complete = end == NP_END_COMPLETE;
	e->done = true;
}
