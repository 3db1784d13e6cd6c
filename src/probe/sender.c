/* sender.c - sends the probe packets the modules built (probe.c, wire.c) on libnet's raw sockets
 * (LIBNET_RAW4/RAW6): the only code that writes to the network. It builds nothing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Our headers first: libnet's system headers define BSD macros (icmp_id, icmp_seq...) that
 * would rename fields of struct np_quote. */
#include "netprobe/probe.h"

#include <libnet.h>

struct np_sender {
	libnet_t *l;
	uint8_t ver;
};

int np_sender_open(struct np_sender **out, uint8_t ver, char *err, size_t errlen)
{
	char eb[LIBNET_ERRBUF_SIZE] = "";
	libnet_t *l = libnet_init(ver == 4 ? LIBNET_RAW4 : LIBNET_RAW6, NULL, eb);
	if (!l) {
		snprintf(err, errlen, "cannot open a raw socket: %s", eb);
		return -1;
	}
	struct np_sender *s = calloc(1, sizeof *s);
	if (!s) {
		libnet_destroy(l);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->l = l;
	s->ver = ver;
	*out = s;
	return 0;
}

int np_sender_bind_device(struct np_sender *s, const char *ifname, char *err, size_t errlen)
{
	/* SO_BINDTODEVICE (socket(7)): needs CAP_NET_RAW, held while the sender is opened. */
	if (setsockopt(libnet_getfd(s->l), SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) < 0) {
		snprintf(err, errlen, "%s: cannot send from this interface: %s", ifname, strerror(errno));
		return -1;
	}
	return 0;
}

int np_sender_send(struct np_sender *s, const uint8_t *pkt, size_t len, char *err, size_t errlen)
{
	int n = s->ver == 4 ? libnet_write_raw_ipv4(s->l, pkt, (uint32_t)len)
			    : libnet_write_raw_ipv6(s->l, pkt, (uint32_t)len);
	if (n < 0 || (size_t)n != len) {
		int e = errno;
		snprintf(err, errlen, "sending failed: %s", libnet_geterror(s->l));
		errno = e; /* EMSGSIZE: larger than the path MTU the kernel knows (trace --pmtu) */
		return -1;
	}
	return 0;
}

int np_sender_fd(const struct np_sender *s)
{
	return libnet_getfd(s->l);
}

void np_sender_close(struct np_sender *s)
{
	if (!s)
		return;
	libnet_destroy(s->l);
	free(s);
}
