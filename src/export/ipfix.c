/* ipfix.c - IPFIX export (RFC 7011) of TCP conversations as RFC 5103 biflows through
 * libfixbuf: one template per address family, standard elements (RFC 7012 / IANA registry)
 * and netprobe's own under NP_IPFIX_PEN. netprobe opens and connects the socket itself, before
 * the privilege drop, and hands libfixbuf a stream over it (fbExporterAllocFP): the sandbox
 * then allows write(2) on that one descriptor and nothing else. Unbuffered, each message is
 * one write(2): one datagram over UDP (RFC 7011 s10.3.3), the stream of messages over TCP. */
#include "netprobe/ipfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fixbuf/public.h>

#define TID_V4 0x9001
#define TID_V6 0x9002

/* The record layouts of the two templates: fields in template order, widest first (libfixbuf's
 * transcoder reads them at their summed offsets: no padding). */
#define COMMON64 \
	uint64_t start_ms, end_ms, octets, packets, roctets, rpackets;
#define COMMON_REST \
	uint32_t syn_synack_us, synack_ack_us, retrans_c, retrans_s, tunnel_id; \
	uint16_t sport, dport, flags, rflags, vlan; \
	uint8_t proto, end_reason, closed_by, reset_by, state_c, state_s, outcome, tunnel_type;

struct __attribute__((packed)) rec4 {
	COMMON64
	uint32_t src, dst;
	COMMON_REST
};

struct __attribute__((packed)) rec6 {
	COMMON64
	uint8_t src[16], dst[16];
	COMMON_REST
};

/* netprobe's elements (NP_IPFIX_PEN), documented in README.md "Beyond one machine". */
static fbInfoElement_t np_elements[] = {
	FB_IE_INIT_FULL("npSynToSynAckMicroseconds", NP_IPFIX_PEN, 1, 4,
			FB_IE_F_ENDIAN | FB_UNITS_MICROSECONDS, 0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("npSynAckToAckMicroseconds", NP_IPFIX_PEN, 2, 4,
			FB_IE_F_ENDIAN | FB_UNITS_MICROSECONDS, 0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("npClientRetransmissions", NP_IPFIX_PEN, 3, 4,
			FB_IE_F_ENDIAN | FB_IE_QUANTITY, 0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("npServerRetransmissions", NP_IPFIX_PEN, 4, 4,
			FB_IE_F_ENDIAN | FB_IE_QUANTITY, 0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("npTunnelId", NP_IPFIX_PEN, 5, 4, FB_IE_F_ENDIAN | FB_IE_IDENTIFIER, 0, 0,
			FB_UINT_32, NULL),
	FB_IE_INIT_FULL("npClosedBy", NP_IPFIX_PEN, 6, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8, NULL),
	FB_IE_INIT_FULL("npResetBy", NP_IPFIX_PEN, 7, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8, NULL),
	FB_IE_INIT_FULL("npClientFinalState", NP_IPFIX_PEN, 8, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8,
			NULL),
	FB_IE_INIT_FULL("npServerFinalState", NP_IPFIX_PEN, 9, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8,
			NULL),
	FB_IE_INIT_FULL("npOutcome", NP_IPFIX_PEN, 10, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8, NULL),
	FB_IE_INIT_FULL("npTunnelType", NP_IPFIX_PEN, 11, 1, FB_IE_F_ENDIAN, 0, 0, FB_UINT_8, NULL),
	FB_IE_NULL,
};

#define SPEC64 \
	{ "flowStartMilliseconds", 8, 0 }, { "flowEndMilliseconds", 8, 0 }, \
	{ "octetDeltaCount", 8, 0 }, { "packetDeltaCount", 8, 0 }, \
	{ "reverseOctetDeltaCount", 8, 0 }, { "reversePacketDeltaCount", 8, 0 },
#define SPEC_REST \
	{ "npSynToSynAckMicroseconds", 4, 0 }, { "npSynAckToAckMicroseconds", 4, 0 }, \
	{ "npClientRetransmissions", 4, 0 }, { "npServerRetransmissions", 4, 0 }, \
	{ "npTunnelId", 4, 0 }, \
	{ "sourceTransportPort", 2, 0 }, { "destinationTransportPort", 2, 0 }, \
	{ "tcpControlBits", 2, 0 }, { "reverseTcpControlBits", 2, 0 }, { "vlanId", 2, 0 }, \
	{ "protocolIdentifier", 1, 0 }, { "flowEndReason", 1, 0 }, { "npClosedBy", 1, 0 }, \
	{ "npResetBy", 1, 0 }, { "npClientFinalState", 1, 0 }, { "npServerFinalState", 1, 0 }, \
	{ "npOutcome", 1, 0 }, { "npTunnelType", 1, 0 }, FB_IESPEC_NULL

static fbInfoElementSpec_t spec4[] = {
	SPEC64 { "sourceIPv4Address", 4, 0 }, { "destinationIPv4Address", 4, 0 }, SPEC_REST
};
static fbInfoElementSpec_t spec6[] = {
	SPEC64 { "sourceIPv6Address", 16, 0 }, { "destinationIPv6Address", 16, 0 }, SPEC_REST
};

_Static_assert(sizeof(struct rec4) == 6 * 8 + 2 * 4 + 5 * 4 + 5 * 2 + 8, "rec4 is packed");
_Static_assert(sizeof(struct rec6) == 6 * 8 + 2 * 16 + 5 * 4 + 5 * 2 + 8, "rec6 is packed");

struct np_ipfix {
	int fd;
	FILE *fp;
	fbInfoModel_t *model;
	fbSession_t *session;
	fbExporter_t *exporter;
	fBuf_t *buf;
	uint64_t records;
	int error;
	bool udp;
	int64_t templates_ms;   /* when the templates last went out (monotonic clock) */
};

/* Over UDP a collector that starts (or restarts) after us has not seen the templates: they go
 * out again every TEMPLATE_RESEND_MS (RFC 7011 s8.4: periodically, for UDP). */
#define TEMPLATE_RESEND_MS 60000

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool np_ipfix_parse(const char *spec, bool *tcp, char *host, size_t hostcap, char *port,
		    size_t portcap)
{
	*tcp = false;
	if (strncmp(spec, "udp:", 4) == 0) {
		spec += 4;
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		spec += 4;
		*tcp = true;
	}
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !colon[1] || strlen(colon + 1) >= portcap)
		return false;
	const char *h = spec;
	size_t hl = (size_t)(colon - spec);
	if (h[0] == '[') {
		if (hl < 3 || h[hl - 1] != ']')
			return false;
		h++;
		hl -= 2;
	} else if (memchr(h, ':', hl)) {
		return false; /* an IPv6 address goes in brackets */
	}
	if (hl >= hostcap)
		return false;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	long n = strtol(colon + 1, NULL, 10);
	if (n < 1 || n > 65535)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	strcpy(port, colon + 1);
	return true;
}

static int connect_to(const char *host, const char *port, bool tcp, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "--ipfix: cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, e = 0;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			e = errno;
			close(fd);
			fd = -1;
		} else if (fd < 0) {
			e = errno;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "--ipfix: cannot connect to %s port %s (%s): %s", host, port,
			 tcp ? "TCP" : "UDP", strerror(e));
	return fd;
}

static bool add_templates(struct np_ipfix *x, GError **gerr)
{
	fbTemplate_t *t4 = fbTemplateAlloc(x->model), *t6 = fbTemplateAlloc(x->model);
	if (!fbTemplateAppendSpecArray(t4, spec4, 0, gerr) ||
	    !fbTemplateAppendSpecArray(t6, spec6, 0, gerr))
		return false;
	/* The same layout inside and on the wire: each template is both (libfixbuf takes
	 * ownership of a template added to a session). */
	fbTemplate_t *e4 = fbTemplateAlloc(x->model), *e6 = fbTemplateAlloc(x->model);
	if (!fbTemplateAppendSpecArray(e4, spec4, 0, gerr) ||
	    !fbTemplateAppendSpecArray(e6, spec6, 0, gerr))
		return false;
	return fbSessionAddTemplate(x->session, TRUE, TID_V4, t4, gerr) &&
	       fbSessionAddTemplate(x->session, TRUE, TID_V6, t6, gerr) &&
	       fbSessionAddTemplate(x->session, FALSE, TID_V4, e4, gerr) &&
	       fbSessionAddTemplate(x->session, FALSE, TID_V6, e6, gerr);
}

struct np_ipfix *np_ipfix_open(const char *spec, char *err, size_t errlen)
{
	char host[256], port[8];
	bool tcp;
	if (!np_ipfix_parse(spec, &tcp, host, sizeof host, port, sizeof port)) {
		snprintf(err, errlen, "invalid --ipfix '%s' (want [udp:|tcp:]HOST:PORT)", spec);
		return NULL;
	}
	struct np_ipfix *x = calloc(1, sizeof *x);
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->udp = !tcp;
	x->templates_ms = now_ms();
	x->fd = connect_to(host, port, tcp, err, errlen);
	if (x->fd < 0) {
		free(x);
		return NULL;
	}
	x->fp = fdopen(x->fd, "w");
	if (!x->fp) {
		snprintf(err, errlen, "--ipfix: %s", strerror(errno));
		close(x->fd);
		free(x);
		return NULL;
	}
	setvbuf(x->fp, NULL, _IONBF, 0); /* one write(2) per message */
	GError *gerr = NULL;
	x->model = fbInfoModelAlloc();
	fbInfoModelAddElementArray(x->model, np_elements);
	x->session = fbSessionAlloc(x->model);
	x->exporter = fbExporterAllocFP(x->fp);
	bool ok = add_templates(x, &gerr);
	if (ok) {
		x->buf = fBufAllocForExport(x->session, x->exporter);
		ok = fbSessionExportTemplates(x->session, &gerr) && fBufEmit(x->buf, &gerr);
	}
	if (!ok) {
		snprintf(err, errlen, "--ipfix: %s", gerr ? gerr->message : "cannot send the templates");
		if (gerr)
			g_clear_error(&gerr);
		np_ipfix_close(x);
		return NULL;
	}
	return x;
}

int np_ipfix_fd(const struct np_ipfix *x)
{
	return x->fd;
}

uint64_t np_ipfix_records(const struct np_ipfix *x)
{
	return x->records;
}

int np_ipfix_error(const struct np_ipfix *x)
{
	return x->error;
}

/* RFC 7011 flowEndReason: 1 idle timeout, 2 active timeout, 3 end of flow detected, 4 forced
 * end (the capture ended), 5 lack of resources (evicted). */
static uint8_t end_reason(const struct np_event *ev)
{
	switch (ev->end.why) {
	case NP_CONV_ACTIVE: return 2;
	case NP_CONV_EVICTED: return 5;
	case NP_CONV_FINISHED: return ev->end.flow.outcome == NP_FLOW_OPEN ? 4 : 3;
	default:
		return ev->end.flow.outcome == NP_FLOW_OPEN || ev->end.flow.outcome == NP_FLOW_HALF_OPEN ||
				       ev->end.flow.outcome == NP_FLOW_UNANSWERED
			       ? 1
			       : 3;
	}
}

static uint8_t side_code(int s)
{
	return (uint8_t)(s < 0 ? 0 : s + 1); /* 0 none, 1 client, 2 server, 3 both */
}

static uint32_t clamp32(int64_t us)
{
	return us < 0 ? 0 : us > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static uint8_t tunnel_type(uint8_t kind)
{
	/* 1 VXLAN, 2 Geneve, 3 GRE, 4 GTP-U */
	return kind == NP_L_VXLAN ? 1 : kind == NP_L_GENEVE ? 2 : kind == NP_L_GRE ? 3
	       : kind == NP_L_GTP ? 4 : 0;
}

#define FILL_REST(r, ev, f) do { \
	(r)->start_ms = (uint64_t)((f)->first_us / 1000); \
	(r)->end_ms = (uint64_t)((f)->last_us / 1000); \
	(r)->octets = (f)->doctets[0]; \
	(r)->packets = (f)->dpackets[0]; \
	(r)->roctets = (f)->doctets[1]; \
	(r)->rpackets = (f)->dpackets[1]; \
	(r)->syn_synack_us = clamp32((f)->syn_synack_us); \
	(r)->synack_ack_us = clamp32((f)->synack_ack_us); \
	(r)->retrans_c = (f)->retrans[0]; \
	(r)->retrans_s = (f)->retrans[1]; \
	(r)->tunnel_id = (f)->tunnel_id; \
	(r)->sport = (ev)->client.port; \
	(r)->dport = (ev)->server.port; \
	(r)->flags = (f)->flags[0]; \
	(r)->rflags = (f)->flags[1]; \
	(r)->vlan = (f)->nvlan ? (f)->vlan : 0; \
	(r)->proto = (f)->udp ? 17 : 6; \
	(r)->end_reason = end_reason(ev); \
	(r)->closed_by = side_code((f)->closed_by); \
	(r)->reset_by = side_code((f)->reset_by); \
	(r)->state_c = (uint8_t)(f)->state[0]; \
	(r)->state_s = (uint8_t)(f)->state[1]; \
	(r)->outcome = (uint8_t)(f)->outcome; \
	(r)->tunnel_type = tunnel_type((f)->tunnel_kind); \
} while (0)

void np_ipfix_flow(void *ctx, const struct np_event *ev)
{
	struct np_ipfix *x = ctx;
	const struct np_flow *f = &ev->end.flow;
	GError *gerr = NULL;
	bool ok = true;
	if (x->udp && now_ms() - x->templates_ms >= TEMPLATE_RESEND_MS) {
		x->templates_ms = now_ms();
		ok = fbSessionExportTemplates(x->session, &gerr);
	}
	if (!ok) {
		/* reported below */
	} else if (ev->client.ver == 4) {
		struct rec4 r = { 0 };
		FILL_REST(&r, ev, f);
		memcpy(&r.src, ev->client.addr, 4);
		memcpy(&r.dst, ev->server.addr, 4);
		r.src = ntohl(r.src); /* libfixbuf takes IPv4 addresses in host order */
		r.dst = ntohl(r.dst);
		ok = fBufSetInternalTemplate(x->buf, TID_V4, &gerr) &&
		     fBufSetExportTemplate(x->buf, TID_V4, &gerr) &&
		     fBufAppend(x->buf, (uint8_t *)&r, sizeof r, &gerr);
	} else {
		struct rec6 r = { 0 };
		FILL_REST(&r, ev, f);
		memcpy(r.src, ev->client.addr, 16);
		memcpy(r.dst, ev->server.addr, 16);
		ok = fBufSetInternalTemplate(x->buf, TID_V6, &gerr) &&
		     fBufSetExportTemplate(x->buf, TID_V6, &gerr) &&
		     fBufAppend(x->buf, (uint8_t *)&r, sizeof r, &gerr);
	}
	/* Sent at once: a record is news for the collector now, not when a message fills. */
	ok = ok && fBufEmit(x->buf, &gerr);
	if (ok) {
		x->records++;
	} else if (!x->error) {
		x->error = errno ? errno : EIO;
	}
	if (gerr)
		g_clear_error(&gerr);
}

void np_ipfix_close(struct np_ipfix *x)
{
	if (!x)
		return;
	if (x->buf) {
		GError *gerr = NULL;
		if (!fBufEmit(x->buf, &gerr) && gerr)
			g_clear_error(&gerr);
		fBufFree(x->buf); /* and the session and the exporter with it */
	} else if (x->session) {
		fbSessionFree(x->session); /* (the exporter: only fBufFree frees one) */
	}
	if (x->model)
		fbInfoModelFree(x->model);
	if (x->fp)
		fclose(x->fp);
	free(x);
}
