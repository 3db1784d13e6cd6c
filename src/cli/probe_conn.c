/* probe_conn.c - the connect() probes of an unprivileged `ping --syn` (probe/connect.c does one
 * connect): a bounded table of the ones in flight, polled for completion; each outcome becomes
 * an answer for the run's usual callback, with the time the kernel finished the handshake as
 * its RTT (as nping --tcp-connect measures). */
#include <pcap/dlt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe_conn.h"
#include "probe_run.h"

int probe_conn_init(struct probe_conn *c, uint32_t scope_id, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->scope_id = scope_id;
	c->cap = PROBE_CONN_MAX;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)c->cap + 32)
		c->cap = rl.rlim_cur > 64 ? (uint32_t)rl.rlim_cur - 32 : 16;
	c->slot = calloc(c->cap, sizeof *c->slot);
	if (!c->slot) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < c->cap; i++)
		c->slot[i].fd = -1;
	return 0;
}

/* A free slot; with none, the oldest connect still waiting is given up (it stays silent). */
static struct probe_conn_slot *free_slot(struct probe_conn *c)
{
	struct probe_conn_slot *oldest = NULL;
	for (uint32_t i = 0; i < c->cap; i++) {
		struct probe_conn_slot *s = &c->slot[i];
		if (s->fd < 0 && !s->done)
			return s;
		if (s->fd >= 0 && (!oldest || s->seq < oldest->seq))
			oldest = s;
	}
	if (!oldest)
		return NULL;
	close(oldest->fd);
	oldest->fd = -1;
	c->given_up++;
	return oldest;
}

int probe_conn_send(struct probe_conn *c, const struct np_probe_spec *s, uint32_t seq,
		    int64_t *sent_us, char *err, size_t errlen)
{
	struct probe_conn_slot *sl = free_slot(c);
	if (!sl) {
		snprintf(err, errlen, "every connect() slot holds an answer not yet read");
		return -1;
	}
	*sl = (struct probe_conn_slot){ .fd = -1, .seq = seq, .spec = s };
	*sent_us = probe_now_us();
	int fd, result = 0;
	int rc = np_connect_start(s->ver, s->dst, np_probe_dport(s, seq), c->scope_id, &fd, &result,
				  err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		close(fd);
		sl->done = true;
		sl->result = result;
		sl->done_us = probe_now_us();
		return 0;
	}
	sl->fd = fd;
	return 0;
}

/* Hand the finished connects to fn. */
static int deliver(struct probe_conn *c, probe_answer_fn fn, void *arg, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < c->cap; i++) {
		struct probe_conn_slot *s = &c->slot[i];
		if (!s->done)
			continue;
		s->done = false;
		enum np_probe_verdict v;
		if (!np_connect_verdict(s->result, &v)) {
			snprintf(err, errlen, "connect to port %u: %s", np_probe_dport(s->spec, s->seq),
				 strerror(s->result));
			return -1;
		}
		struct np_frame f = { .n = ++c->frames, .ts_sec = s->done_us / 1000000,
				      .ts_usec = (uint32_t)(s->done_us % 1000000), .dlt = DLT_RAW };
		static struct np_packet p; /* no layers: no packet was read */
		memset(&p, 0, sizeof p);
		p.frame = &f;
		struct np_probe_answer a;
		memset(&a, 0, sizeof a);
		np_probe_answer_set(&a, s->seq, v, true, s->spec->dst, s->spec->ver);
		memcpy(a.dst, s->spec->dst, 16);
		a.dport = np_probe_dport(s->spec, s->seq);
		fn(arg, &p, &a);
	}
	return 0;
}

int probe_conn_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
		    char *err, size_t errlen)
{
	struct pollfd pfd[PROBE_CONN_MAX];
	uint32_t at[PROBE_CONN_MAX], n = 0;
	for (uint32_t i = 0; i < c->cap; i++)
		if (c->slot[i].fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = c->slot[i].fd, .events = POLLOUT };
			at[n++] = i;
		}
	bool ready = false;
	for (uint32_t i = 0; i < c->cap && !ready; i++)
		ready = c->slot[i].done;
	int rc = poll(pfd, n, ready ? 0 : timeout_ms);
	int64_t now = probe_now_us();
	for (uint32_t k = 0; rc > 0 && k < n; k++) {
		if (!pfd[k].revents)
			continue;
		struct probe_conn_slot *s = &c->slot[at[k]];
		s->result = np_connect_result(s->fd);
		close(s->fd);
		s->fd = -1;
		s->done = true;
		s->done_us = now;
	}
	return deliver(c, fn, arg, err, errlen);
}

void probe_conn_close(struct probe_conn *c)
{
	for (uint32_t i = 0; c->slot && i < c->cap; i++)
		if (c->slot[i].fd >= 0)
			close(c->slot[i].fd);
	free(c->slot);
	c->slot = NULL;
}
