/* test_text.c - the packet-list formatters (src/print/text.c, src/print/fmt.c): the Info column
 * in Wireshark's wording, the time column, TCP flag names, protocol and endpoints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netprobe/print.h"
#include "testutil.h"

#define IP_AT 14
#define TCP_AT 34

/* Ethernet + IPv4 + TCP between 192.168.1.10:51234 and 192.168.1.20:8888, flags, numbers and
 * options filled in by tcp4(). */
static uint32_t tcp4(uint8_t *f, bool reply, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		     const uint8_t *opts, size_t olen)
{
	static const uint8_t hdr[] = {
		/* Ethernet */
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x08, 0x00,                         /* Ethertype IPv4 */
		/* IPv4 */
		0x45, 0x00,                         /* version 4, IHL 5, TOS */
		0x00, 0x00,                         /* total length: set below */
		0x00, 0x01,                         /* identification */
		0x40, 0x00,                         /* DF */
		0x40, 0x06,                         /* TTL 64, protocol TCP */
		0x00, 0x00,                         /* header checksum: filled in */
		0xc0, 0xa8, 0x01, 0x0a,             /* source 192.168.1.10 */
		0xc0, 0xa8, 0x01, 0x14,             /* destination 192.168.1.20 */
		/* TCP */
		0xc8, 0x22,                         /* source port 51234 */
		0x22, 0xb8,                         /* destination port 8888 */
		0x00, 0x00, 0x00, 0x00,             /* sequence number: set below */
		0x00, 0x00, 0x00, 0x00,             /* acknowledgment number: set below */
		0x00,                               /* data offset: set below */
		0x00,                               /* flags: set below */
		0x00, 0x00,                         /* window: set below */
		0x00, 0x00,                         /* checksum: filled in */
		0x00, 0x00,                         /* urgent pointer */
	};
	uint32_t n = 0;
	t_append(f, &n, hdr, sizeof hdr);
	t_append(f, &n, opts, olen);
	if (reply) { /* swap addresses and ports */
		uint8_t tmp[4];
		memcpy(tmp, f + IP_AT + 12, 4);
		memcpy(f + IP_AT + 12, f + IP_AT + 16, 4);
		memcpy(f + IP_AT + 16, tmp, 4);
		memcpy(tmp, f + TCP_AT, 2);
		memcpy(f + TCP_AT, f + TCP_AT + 2, 2);
		memcpy(f + TCP_AT + 2, tmp, 2);
	}
	t_put16(f + IP_AT + 2, (uint16_t)(n - IP_AT));
	t_put16(f + TCP_AT + 4, (uint16_t)(seq >> 16));
	t_put16(f + TCP_AT + 6, (uint16_t)seq);
	t_put16(f + TCP_AT + 8, (uint16_t)(ack >> 16));
	t_put16(f + TCP_AT + 10, (uint16_t)ack);
	f[TCP_AT + 12] = (uint8_t)(((20 + olen) / 4) << 4);
	f[TCP_AT + 13] = flags;
	t_put16(f + TCP_AT + 14, win);
	t_fix_ip4(f + IP_AT);
	t_fix_l4_ip4(f + IP_AT, 16);
	return n;
}

static const uint8_t syn_opts[] = {
	0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
	0x04, 0x02,             /* SACK permitted */
	0x08, 0x0a,             /* timestamps */
	0x00, 0x9a, 0x2b, 0x3c, /* TSval 10103612 */
	0x00, 0x00, 0x00, 0x00, /* TSecr 0 */
	0x01,                   /* NOP */
	0x03, 0x03, 0x07,       /* window scale 7 (x128) */
};

static const uint8_t synack_opts[] = {
	0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
	0x04, 0x02,             /* SACK permitted */
	0x08, 0x0a,             /* timestamps */
	0x00, 0x00, 0x4e, 0x20, /* TSval 20000 */
	0x00, 0x9a, 0x2b, 0x3c, /* TSecr 10103612 */
	0x01,                   /* NOP */
	0x03, 0x03, 0x07,       /* window scale 7 */
};

/* Decode a frame (caplen bytes of len) and check its Info column. */
static void assert_info(int dlt, const uint8_t *f, uint32_t caplen, uint32_t len, const char *want)
{
	struct t_pkt t;
	char buf[512];
	t_decode_ex(&t, dlt, f, caplen, len);
	size_t n = np_format_info(&t.p, NULL, false, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	t_free(&t);
}

static void test_tcp_syn(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, false, 0x02, 0x12345678, 0, 64240, syn_opts, sizeof syn_opts);
	assert_info(DLT_EN10MB, f, n, n,
		    "51234 → 8888 [SYN] Seq=305419896 Win=64240 Len=0 MSS=1460 SACK_PERM "
		    "TSval=10103612 TSecr=0 WS=128");
}

static void test_tcp_synack(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, true, 0x12, 2000000, 0x12345679, 65160, synack_opts,
			  sizeof synack_opts);
	assert_info(DLT_EN10MB, f, n, n,
		    "8888 → 51234 [SYN, ACK] Seq=2000000 Ack=305419897 Win=65160 Len=0 MSS=1460 "
		    "SACK_PERM TSval=20000 TSecr=10103612 WS=128");
}

static void test_tcp_rstack(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, true, 0x14, 0, 0x12345679, 0, NULL, 0);
	assert_info(DLT_EN10MB, f, n, n, "8888 → 51234 [RST, ACK] Seq=0 Ack=305419897 Win=0 Len=0");
}

static void test_tcp_other_flags_and_sack(void **state)
{
	(void)state;
	static const uint8_t sack[] = {
		0x01, 0x01,             /* NOP, NOP */
		0x05, 0x0a,             /* SACK, one block */
		0x00, 0x00, 0x03, 0xe8, /* left edge 1000 */
		0x00, 0x00, 0x07, 0xd0, /* right edge 2000 */
	};
	uint8_t f[256];
	uint32_t n = tcp4(f, false, 0x10, 1, 500, 502, sack, sizeof sack);
	assert_info(DLT_EN10MB, f, n, n,
		    "51234 → 8888 [ACK] Seq=1 Ack=500 Win=502 Len=0 SLE=1000 SRE=2000");
	n = tcp4(f, false, 0x00, 7, 0, 1024, NULL, 0);
	assert_info(DLT_EN10MB, f, n, n, "51234 → 8888 [<None>] Seq=7 Win=1024 Len=0");
	n = tcp4(f, false, 0xc2, 7, 0, 1024, NULL, 0); /* SYN with ECE and CWR: ECN setup */
	assert_info(DLT_EN10MB, f, n, n, "51234 → 8888 [SYN, ECE, CWR] Seq=7 Win=1024 Len=0");
}

static void test_tcp_bad_checksum(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, true, 0x14, 0, 1, 0, NULL, 0);
	f[TCP_AT + 16] ^= 0xff;
	assert_info(DLT_EN10MB, f, n, n,
		    "8888 → 51234 [RST, ACK] Seq=0 Ack=1 Win=0 Len=0 [TCP CHECKSUM INCORRECT]");
}

/* Cut inside the timestamps option: only what was captured is shown, then the marker. */
static void test_truncated(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, false, 0x02, 0x12345678, 0, 64240, syn_opts, sizeof syn_opts);
	assert_info(DLT_EN10MB, f, TCP_AT + 30, n,
		    "51234 → 8888 [SYN] Seq=305419896 Win=64240 Len=0 MSS=1460 SACK_PERM "
		    "[Packet size limited during capture]");
	assert_info(DLT_EN10MB, f, TCP_AT + 10, n,
		    "51234 → 8888 Seq=305419896 [Packet size limited during capture]");
	assert_info(DLT_EN10MB, f, TCP_AT + 3, n,
		    "TCP header cut short [Packet size limited during capture]");
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, false, 0x18, 1000, 2000, 501, NULL, 0);
	f[TCP_AT + 12] = 0x30; /* data offset 3 */
	t_fix_l4_ip4(f + IP_AT, 16);
	assert_info(DLT_EN10MB, f, n, n,
		    "51234 → 8888 [PSH, ACK] Seq=1000 Ack=2000 Win=501 [Malformed Packet]");
	/* Both markers, truncated first: an IPv4 total length past the frame (invalid), and the
	 * capture one byte short of the frame (truncated). */
	n = tcp4(f, false, 0x18, 1000, 2000, 501, NULL, 0);
	t_put16(f + IP_AT + 2, 200);
	t_fix_ip4(f + IP_AT);
	assert_info(DLT_EN10MB, f, n - 1, n,
		    "51234 → 8888 [PSH, ACK] Seq=1000 Ack=2000 Win=501 "
		    "[Packet size limited during capture] [Malformed Packet]");
}

/* Raw IPv4 + ICMP echo request, id 0x1234, seq 1, TTL 64. */
static const uint8_t echo[] = {
	0x45, 0x00,             /* version 4, IHL 5, TOS */
	0x00, 0x1c,             /* total length 28 */
	0x00, 0x01,             /* identification */
	0x40, 0x00,             /* DF */
	0x40, 0x01,             /* TTL 64, protocol ICMP */
	0x00, 0x00,             /* header checksum: filled in */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	0x08, 0x00,             /* type 8 (echo request), code 0 */
	0x00, 0x00,             /* checksum: filled in */
	0x12, 0x34,             /* identifier 0x1234 */
	0x00, 0x01,             /* sequence 1 */
};

static void test_icmp_echo(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, echo, sizeof echo);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	/* Wireshark pads the type name to 20 characters so the id= fields line up. */
	assert_info(DLT_RAW, f, sizeof echo, sizeof echo,
		    "Echo (ping) request  id=0x1234, seq=1/256, ttl=64");
	f[20] = 0; /* echo reply */
	f[8] = 57; /* TTL 57 */
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	assert_info(DLT_RAW, f, sizeof echo, sizeof echo,
		    "Echo (ping) reply    id=0x1234, seq=1/256, ttl=57");
	f[22] ^= 0x55;
	assert_info(DLT_RAW, f, sizeof echo, sizeof echo,
		    "Echo (ping) reply    id=0x1234, seq=1/256, ttl=57 [ICMP CHECKSUM INCORRECT]");
}

static void test_icmp_port_unreachable(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x45, 0xc0,             /* version 4, IHL 5, TOS */
		0x00, 0x38,             /* total length 56 */
		0x00, 0x99,             /* identification */
		0x00, 0x00,             /* flags, offset */
		0x40, 0x01,             /* TTL 64, protocol ICMP */
		0x00, 0x00,             /* header checksum: filled in */
		0x0a, 0x00, 0x00, 0x02, /* source 10.0.0.2 */
		0x0a, 0x00, 0x00, 0x01, /* destination 10.0.0.1 */
		0x03, 0x03,             /* type 3, code 3: port unreachable */
		0x00, 0x00,             /* checksum: filled in */
		0x00, 0x00, 0x00, 0x00, /* unused */
		0x45, 0x00, 0x00, 0x24, /* quoted IPv4: version, IHL, TOS, total length 36 */
		0x56, 0x78, 0x00, 0x00, /* identification, flags/offset */
		0x01, 0x11, 0xaa, 0xbb, /* TTL 1, protocol UDP, checksum */
		0x0a, 0x00, 0x00, 0x01, /* quoted source 10.0.0.1 */
		0x0a, 0x00, 0x00, 0x02, /* quoted destination 10.0.0.2 */
		0x9c, 0x41, 0x82, 0x9a, /* quoted UDP ports 40001 -> 33434 */
		0x00, 0x10, 0xcc, 0xdd, /* quoted UDP length, checksum */
	};
	uint8_t f[128];
	memcpy(f, pkt, sizeof pkt);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	assert_info(DLT_RAW, f, sizeof pkt, sizeof pkt,
		    "Destination unreachable (Port unreachable) [UDP 10.0.0.1:40001 → 10.0.0.2:33434]");
	/* Fragmentation needed shows the MTU. */
	f[21] = 4;
	t_put16(f + 26, 1400);
	t_fix_l4_ip4(f, 2);
	assert_info(DLT_RAW, f, sizeof pkt, sizeof pkt,
		    "Destination unreachable (Fragmentation needed) next-hop MTU=1400 "
		    "[UDP 10.0.0.1:40001 → 10.0.0.2:33434]");
}

static const uint8_t arp_request[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination: broadcast */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* source MAC */
	0x08, 0x06,                         /* Ethertype ARP */
	0x00, 0x01, 0x08, 0x00,             /* Ethernet, IPv4 */
	0x06, 0x04,                         /* address lengths */
	0x00, 0x01,                         /* opcode 1: request */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* sender IP 192.168.1.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0xc0, 0xa8, 0x01, 0x02,             /* target IP 192.168.1.2 */
};

static void test_arp(void **state)
{
	(void)state;
	uint8_t f[64];
	memcpy(f, arp_request, sizeof arp_request);
	assert_info(DLT_EN10MB, f, sizeof arp_request, sizeof arp_request,
		    "Who has 192.168.1.2? Tell 192.168.1.1");
	f[21] = 2;                                              /* opcode 2: reply */
	memcpy(f + 22, ((uint8_t[]){ 2, 0x66, 0x77, 0x88, 0x99, 0xaa }), 6); /* sender MAC */
	f[31] = 2;                                              /* sender IP 192.168.1.2 */
	f[41] = 1;                                              /* target IP 192.168.1.1 */
	assert_info(DLT_EN10MB, f, sizeof arp_request, sizeof arp_request,
		    "192.168.1.2 is at 02:66:77:88:99:aa");
	memcpy(f, arp_request, sizeof arp_request);
	f[41] = 1; /* target IP = sender IP */
	assert_info(DLT_EN10MB, f, sizeof arp_request, sizeof arp_request,
		    "Gratuitous ARP for 192.168.1.1 (Request)");
}

static void test_icmp6(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x20,             /* payload length 32 */
		0x3a, 0xff,             /* next header ICMPv6, hop limit 255 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* source 2001:db8::2 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* dest 2001:db8::1 */
		0x88, 0x00,             /* type 136 (neighbour advertisement), code 0 */
		0x00, 0x00,             /* checksum: filled in */
		0xe0, 0x00, 0x00, 0x00, /* flags R, S, O */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* target 2001:db8::2 */
		0x02, 0x01,             /* option: target link-layer address, length 1 */
		0x02, 0x66, 0x77, 0x88, 0x99, 0xaa, /* 02:66:77:88:99:aa */
	};
	uint8_t f[128];
	memcpy(f, pkt, sizeof pkt);
	t_fix_l4_ip6(f, 40, 58, 2);
	assert_info(DLT_RAW, f, sizeof pkt, sizeof pkt,
		    "Neighbor Advertisement 2001:db8::2 (rtr, sol, ovr) is at 02:66:77:88:99:aa");
	f[44] = 0x60; /* S and O */
	t_fix_l4_ip6(f, 40, 58, 2);
	assert_info(DLT_RAW, f, sizeof pkt, sizeof pkt,
		    "Neighbor Advertisement 2001:db8::2 (sol, ovr) is at 02:66:77:88:99:aa");
	f[40] = 0x87; /* now a neighbour solicitation with a source link-layer address */
	f[44] = 0x00;
	f[64] = 0x01;
	t_fix_l4_ip6(f, 40, 58, 2);
	assert_info(DLT_RAW, f, sizeof pkt, sizeof pkt,
		    "Neighbor Solicitation for 2001:db8::2 from 02:66:77:88:99:aa");
}

static void test_other_lines(void **state)
{
	(void)state;
	/* An IPv4 later fragment. */
	static const uint8_t frag[] = {
		0x45, 0x00, 0x00, 0x1c, /* version 4, IHL 5, TOS, total length 28 */
		0x12, 0x34,             /* identification 0x1234 */
		0x00, 0xb9,             /* fragment offset 185 (1480 bytes) */
		0x40, 0x06,             /* TTL 64, protocol TCP */
		0x00, 0x00,             /* header checksum: filled in */
		0x0a, 0x00, 0x00, 0x01, /* source */
		0x0a, 0x00, 0x00, 0x02, /* destination */
		0, 1, 2, 3, 4, 5, 6, 7, /* 8 bytes of the middle of a segment */
	};
	uint8_t f[64];
	memcpy(f, frag, sizeof frag);
	t_fix_ip4(f);
	assert_info(DLT_RAW, f, sizeof frag, sizeof frag,
		    "Fragmented IP protocol (proto=TCP 6, off=1480, ID=1234)");
	/* A UDP datagram. */
	static const uint8_t udp[] = {
		0x45, 0x00, 0x00, 0x1e, /* version 4, IHL 5, TOS, total length 30 */
		0x00, 0x01, 0x00, 0x00, /* identification, flags/offset */
		0x40, 0x11, 0x00, 0x00, /* TTL, protocol UDP, header checksum: filled in */
		0x0a, 0x00, 0x00, 0x01, /* source */
		0x0a, 0x00, 0x00, 0x02, /* destination */
		0x04, 0xd2, 0x00, 0x35, /* ports 1234 -> 53 */
		0x00, 0x0a, 0x00, 0x00, /* length 10, no checksum */
		'h', 'i',               /* data */
	};
	memcpy(f, udp, sizeof udp);
	t_fix_ip4(f);
	assert_info(DLT_RAW, f, sizeof udp, sizeof udp, "1234 → 53 Len=2");
	/* A link type we don't decode. */
	assert_info(DLT_USER0, f, 4, 4, "link type not decoded");
}

/* A small buffer cuts the text but never overflows, and stays a C string. */
static void test_small_buffer(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = tcp4(f, false, 0x02, 0x12345678, 0, 64240, syn_opts, sizeof syn_opts);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	for (size_t cap = 1; cap < 24; cap++) {
		char *buf = malloc(cap); /* exact size: ASan catches a write past it */
		assert_non_null(buf);
		size_t len = np_format_info(&t.p, NULL, false, buf, cap);
		assert_true(len < cap);
		assert_int_equal(strlen(buf), len);
		free(buf);
	}
	t_free(&t);
}

static void test_protocol_and_endpoints(void **state)
{
	(void)state;
	uint8_t f[256];
	char pbuf[16], src[NP_ADDR_STRLEN], dst[NP_ADDR_STRLEN];
	uint32_t n = tcp4(f, false, 0x02, 1, 0, 1, NULL, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_string_equal(np_format_protocol(&t.p, pbuf, sizeof pbuf), "TCP");
	np_format_endpoints(&t.p, src, dst, sizeof src);
	assert_string_equal(src, "192.168.1.10");
	assert_string_equal(dst, "192.168.1.20");
	t_free(&t);

	t_decode(&t, DLT_EN10MB, arp_request, sizeof arp_request);
	assert_string_equal(np_format_protocol(&t.p, pbuf, sizeof pbuf), "ARP");
	np_format_endpoints(&t.p, src, dst, sizeof src);
	assert_string_equal(src, "02:11:22:33:44:55");
	assert_string_equal(dst, "Broadcast");
	t_free(&t);
}

static void test_time_formats(void **state)
{
	(void)state;
	struct np_print_ctx ctx;
	struct np_frame f1 = { .ts_sec = 1700000000, .ts_usec = 123456 };
	struct np_frame f2 = { .ts_sec = 1700000001, .ts_usec = 623456 };
	struct np_frame f3 = { .ts_sec = 1700000001, .ts_usec = 873456 };
	struct np_frame early = { .ts_sec = 1699999999, .ts_usec = 999999 };
	char buf[64];

	/* r: since the first packet. */
	np_print_init(&ctx, stdout, NP_TS_RELATIVE, false);
	np_format_time(&ctx, &f1, buf, sizeof buf);
	assert_string_equal(buf, "0.000000");
	np_format_time(&ctx, &f2, buf, sizeof buf);
	assert_string_equal(buf, "1.500000");
	np_format_time(&ctx, &f3, buf, sizeof buf);
	assert_string_equal(buf, "1.750000");
	np_format_time(&ctx, &early, buf, sizeof buf); /* out of order: negative */
	assert_string_equal(buf, "-0.123457");

	/* d: since the previous packet. */
	np_print_init(&ctx, stdout, NP_TS_DELTA, false);
	np_format_time(&ctx, &f1, buf, sizeof buf);
	assert_string_equal(buf, "0.000000");
	np_format_time(&ctx, &f2, buf, sizeof buf);
	assert_string_equal(buf, "1.500000");
	np_format_time(&ctx, &f3, buf, sizeof buf);
	assert_string_equal(buf, "0.250000");

	/* e: since 1970. */
	np_print_init(&ctx, stdout, NP_TS_EPOCH, false);
	size_t n = np_format_time(&ctx, &f1, buf, sizeof buf);
	assert_string_equal(buf, "1700000000.123456");
	assert_int_equal(n, strlen(buf));

	/* ud and u: UTC date and time of day. */
	np_print_init(&ctx, stdout, NP_TS_UTC_DATE, false);
	np_format_time(&ctx, &f1, buf, sizeof buf);
	assert_string_equal(buf, "2023-11-14 22:13:20.123456");
	np_print_init(&ctx, stdout, NP_TS_UTC, false);
	np_format_time(&ctx, &f1, buf, sizeof buf);
	assert_string_equal(buf, "22:13:20.123456");

	enum np_tsfmt fmt;
	assert_true(np_tsfmt_parse("ud", &fmt));
	assert_int_equal(fmt, NP_TS_UTC_DATE);
	assert_true(np_tsfmt_parse("d", &fmt));
	assert_int_equal(fmt, NP_TS_DELTA);
	assert_false(np_tsfmt_parse("x", &fmt));
	assert_false(np_tsfmt_parse("", &fmt));
}


/* What the clock column was before the per-second cache: localtime_r/gmtime_r and strftime
 * for every packet, the bare seconds when the time does not convert. */
static void clock_want(int64_t sec, uint32_t usec, bool utc, bool date, char *buf, size_t cap)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		int n = snprintf(buf, cap, "%" PRId64 ".%06u", sec, usec);
		assert_true(n >= 0 && (size_t)n < cap);
		return;
	}
	char tbuf[64];
	strftime(tbuf, sizeof tbuf, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	/* The reference must not be cut (callers give room for any date strftime writes). */
	int n = snprintf(buf, cap, "%s.%06u", tbuf, usec);
	assert_true(n >= 0 && (size_t)n < cap);
}

/* The clock text is kept per second: across the end of DST in New York (01:59:59 EDT is
 * followed by 01:00:00 EST), repeated and backward seconds, a format switch on the same
 * context, times that do not convert, and a crafted usec past 999999, every line is what
 * localtime_r and strftime give for that packet. */
static void test_clock_cache(void **state)
{
	(void)state;
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", "America/New_York", 1);
	tzset();
	static const struct np_frame frames[] = {
		{ .ts_sec = 1699163998, .ts_usec = 1 },      { .ts_sec = 1699163999, .ts_usec = 999999 },
		{ .ts_sec = 1699164000, .ts_usec = 0 },      { .ts_sec = 1699164000, .ts_usec = 5 },
		{ .ts_sec = 1699163999, .ts_usec = 7 },      { .ts_sec = 1699167600, .ts_usec = 42 },
		{ .ts_sec = 0, .ts_usec = 0 },               { .ts_sec = -1, .ts_usec = 999999 },
		{ .ts_sec = INT64_MAX, .ts_usec = 1 },       { .ts_sec = INT64_MIN, .ts_usec = 2 },
		{ .ts_sec = INT64_MAX, .ts_usec = 3 },       { .ts_sec = 1699164000, .ts_usec = 4294967295u },
		{ .ts_sec = ((INT64_C(1) << 61) / 1000000) + 1, .ts_usec = 0 },
	};
	static const enum np_tsfmt fmts[] = { NP_TS_ABSOLUTE, NP_TS_ABS_DATE, NP_TS_UTC, NP_TS_UTC_DATE };
	for (size_t k = 0; k < T_ARRAY_LEN(fmts); k++) {
		struct np_print_ctx ctx;
		np_print_init(&ctx, stdout, fmts[k], false);
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < T_ARRAY_LEN(frames); i++) {
				char got[64], want[64];
				/* switch format on the same context half-way through the second round */
				enum np_tsfmt fmt = round && i > 6 ? fmts[(k + 1) % 4] : fmts[k];
				ctx.tsfmt = fmt;
				size_t n = np_format_time(&ctx, &frames[i], got, sizeof got);
				clock_want(frames[i].ts_sec, frames[i].ts_usec,
					   fmt == NP_TS_UTC || fmt == NP_TS_UTC_DATE,
					   fmt == NP_TS_ABS_DATE || fmt == NP_TS_UTC_DATE, want, sizeof want);
				assert_string_equal(got, want);
				assert_int_equal(n, strlen(want));
			}
		}
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

/* The relative, delta and epoch columns at the clamp (+-2^61 us, packet.h): the difference of
 * two extreme times still prints as the sign and magnitude of the clamped difference. */
static void test_time_extremes(void **state)
{
	(void)state;
	struct np_print_ctx ctx;
	char buf[64], want[64];
	const int64_t max = (INT64_C(1) << 61) / 1000000;
	struct np_frame lo = { .ts_sec = INT64_MIN, .ts_usec = 0 };
	struct np_frame hi = { .ts_sec = INT64_MAX, .ts_usec = 999999 };
	struct np_frame odd = { .ts_sec = 5, .ts_usec = 4294967295u };

	np_print_init(&ctx, stdout, NP_TS_RELATIVE, false);
	np_format_time(&ctx, &lo, buf, sizeof buf);
	assert_string_equal(buf, "0.000000");
	np_format_time(&ctx, &hi, buf, sizeof buf);
	int64_t us = 2 * max * 1000000 + 999999;
	snprintf(want, sizeof want, "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
	assert_string_equal(buf, want);

	np_print_init(&ctx, stdout, NP_TS_DELTA, false);
	np_format_time(&ctx, &hi, buf, sizeof buf);
	np_format_time(&ctx, &lo, buf, sizeof buf);
	snprintf(want, sizeof want, "-%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
	assert_string_equal(buf, want);

	np_print_init(&ctx, stdout, NP_TS_EPOCH, false);
	np_format_time(&ctx, &lo, buf, sizeof buf);
	snprintf(want, sizeof want, "-%" PRId64 ".000000", max);
	assert_string_equal(buf, want);
	np_format_time(&ctx, &odd, buf, sizeof buf); /* a crafted usec past a second */
	assert_string_equal(buf, "4299.967295");
	np_format_time(&ctx, &(struct np_frame){ .ts_sec = 0, .ts_usec = 0 }, buf, sizeof buf);
	assert_string_equal(buf, "0.000000");
	np_format_time(&ctx, &(struct np_frame){ .ts_sec = -1, .ts_usec = 1 }, buf, sizeof buf);
	assert_string_equal(buf, "-0.999999");
}

static void test_tcp_flag_names(void **state)
{
	(void)state;
	char buf[128];
	size_t n = np_fmt_tcp_flags(0x1ff, buf, sizeof buf);
	assert_string_equal(buf, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE");
	assert_int_equal(n, strlen(buf));
	np_fmt_tcp_flags(0x012, buf, sizeof buf);
	assert_string_equal(buf, "SYN, ACK");
	np_fmt_tcp_flags(NP_TCP_AE, buf, sizeof buf);
	assert_string_equal(buf, "AE");
	np_fmt_tcp_flags(0xe00, buf, sizeof buf);
	assert_string_equal(buf, "Reserved");
	np_fmt_tcp_flags(0xfff, buf, sizeof buf);
	assert_string_equal(buf, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, Reserved");
	assert_int_equal(np_fmt_tcp_flags(0, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	/* Too small a buffer: whole names only, never past the end. */
	char small[12];
	n = np_fmt_tcp_flags(0x1ff, small, sizeof small);
	assert_string_equal(small, "FIN, SYN");
	assert_int_equal(n, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_syn),
		cmocka_unit_test(test_tcp_synack),
		cmocka_unit_test(test_tcp_rstack),
		cmocka_unit_test(test_tcp_other_flags_and_sack),
		cmocka_unit_test(test_tcp_bad_checksum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp_port_unreachable),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_other_lines),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_protocol_and_endpoints),
		cmocka_unit_test(test_time_formats),
		cmocka_unit_test(test_clock_cache),
		cmocka_unit_test(test_time_extremes),
		cmocka_unit_test(test_tcp_flag_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
