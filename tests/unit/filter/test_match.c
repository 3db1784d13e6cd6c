/* test_match.c - the --port/--host shorthands (src/filter/match.c), matched on decoded packets. */
#include "netprobe/match.h" /* first: the header must stand on its own */

#include <stdio.h>

#include "testutil.h"

static const uint8_t eth_ip4[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
};

/* IPv4 10.0.0.1 -> 10.0.0.2 carrying `l4` (protocol `proto`). */
static uint32_t ip4(uint8_t *f, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	static const uint8_t hdr[] = {
		0x45, 0x00,             /* version 4, IHL 5, TOS */
		0x00, 0x00,             /* total length: set below */
		0x00, 0x01,             /* identification */
		0x00, 0x00,             /* flags, offset */
		0x40, 0x00,             /* TTL 64, protocol: set below */
		0x00, 0x00,             /* header checksum: filled in */
		0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
		0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	};
	uint32_t n = 0;
	t_append(f, &n, eth_ip4, sizeof eth_ip4);
	t_append(f, &n, hdr, sizeof hdr);
	t_append(f, &n, l4, l4len);
	t_put16(f + 14 + 2, (uint16_t)(n - 14));
	f[14 + 9] = proto;
	t_fix_ip4(f + 14);
	return n;
}

static const uint8_t tcp_80_40000[] = {
	0x00, 0x50,             /* source port 80 */
	0x9c, 0x40,             /* destination port 40000 */
	0x00, 0x00, 0x00, 0x01, /* sequence */
	0x00, 0x00, 0x00, 0x01, /* acknowledgment */
	0x50, 0x10,             /* data offset 5, ACK */
	0x01, 0x00,             /* window */
	0x00, 0x00,             /* checksum (not checked by matching) */
	0x00, 0x00,             /* urgent pointer */
};

static const uint8_t udp_5353_53[] = {
	0x14, 0xe9,             /* source port 5353 */
	0x00, 0x35,             /* destination port 53 */
	0x00, 0x08,             /* length 8 */
	0x00, 0x00,             /* no checksum */
};

/* An ICMP port unreachable whose quote names port 80: matching looks at this packet's own
 * transport header, not the quote. */
static const uint8_t icmp_unreach_80[] = {
	0x03, 0x03,             /* destination unreachable, port unreachable */
	0x00, 0x00,             /* checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x45, 0x00, 0x00, 0x1c, /* quoted IPv4 header */
	0x00, 0x01, 0x00, 0x00,
	0x40, 0x11, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x02, /* quoted source 10.0.0.2 */
	0x0a, 0x00, 0x00, 0x01, /* quoted destination 10.0.0.1 */
	0x00, 0x50, 0x00, 0x50, /* quoted UDP ports 80 -> 80 */
	0x00, 0x08, 0x00, 0x00, /* quoted UDP length, checksum */
};

static const uint8_t ip6_tcp[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x14,             /* payload length 20 */
	0x06, 0x40,             /* next header TCP, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source 2001:db8::1 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* dest 2001:db8::2 */
	0x01, 0xbb,             /* source port 443 */
	0x00, 0x50,             /* destination port 80 */
	0x00, 0x00, 0x00, 0x01, /* sequence */
	0x00, 0x00, 0x00, 0x00, /* acknowledgment */
	0x50, 0x02,             /* data offset 5, SYN */
	0x01, 0x00,             /* window */
	0x00, 0x00,             /* checksum */
	0x00, 0x00,             /* urgent pointer */
};

static const uint8_t arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination: broadcast */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* source MAC */
	0x08, 0x06,                         /* Ethertype ARP */
	0x00, 0x01, 0x08, 0x00,             /* Ethernet, IPv4 */
	0x06, 0x04,                         /* address lengths */
	0x00, 0x01,                         /* request */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* sender IP 192.168.1.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
	0xc0, 0xa8, 0x01, 0x02,             /* target IP 192.168.1.2 */
};

enum { P_TCP, P_UDP, P_ICMP, P_TCP6, P_ARP, P_OTHER, NPKT };

struct fixture {
	uint8_t f[NPKT][128];
	struct t_pkt pkt[NPKT];
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof *x);
	if (!x)
		return -1;
	uint32_t n;
	n = ip4(x->f[P_TCP], 6, tcp_80_40000, sizeof tcp_80_40000);
	t_decode(&x->pkt[P_TCP], DLT_EN10MB, x->f[P_TCP], n);
	n = ip4(x->f[P_UDP], 17, udp_5353_53, sizeof udp_5353_53);
	t_decode(&x->pkt[P_UDP], DLT_EN10MB, x->f[P_UDP], n);
	n = ip4(x->f[P_ICMP], 1, icmp_unreach_80, sizeof icmp_unreach_80);
	t_decode(&x->pkt[P_ICMP], DLT_EN10MB, x->f[P_ICMP], n);
	t_decode(&x->pkt[P_TCP6], DLT_RAW, ip6_tcp, sizeof ip6_tcp);
	t_decode(&x->pkt[P_ARP], DLT_EN10MB, arp, sizeof arp);
	t_decode(&x->pkt[P_OTHER], DLT_USER0, arp, sizeof arp);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	for (int i = 0; i < NPKT; i++)
		t_free(&x->pkt[i]);
	free(x);
	return 0;
}

static const struct np_packet *pk(void **state, int i)
{
	struct fixture *x = *state;
	return &x->pkt[i].p;
}

static void add_host(struct np_match *m, const char *h)
{
	char err[128] = "";
	if (np_match_add_host(m, h, err, sizeof err) != 0)
		fail_msg("adding %s: %s", h, err);
}

static void test_decoded_as_expected(void **state)
{
	assert_true(np_pkt_mask(pk(state, P_TCP)) & NP_HAS_TCP);
	assert_true(np_pkt_mask(pk(state, P_UDP)) & NP_HAS_UDP);
	assert_true(np_pkt_mask(pk(state, P_ICMP)) & NP_HAS_ICMP);
	assert_int_equal(np_pkt_icmp(pk(state, P_ICMP))->quote.sport, 80);
	assert_true(np_pkt_mask(pk(state, P_TCP6)) & NP_HAS_TCP);
	assert_true(np_pkt_mask(pk(state, P_ARP)) & NP_HAS_ARP);
	assert_int_equal(np_pkt_mask(pk(state, P_OTHER)), 0);
}

static void test_no_shorthands_match_everything(void **state)
{
	struct np_match m;
	memset(&m, 0, sizeof m);
	for (int i = 0; i < NPKT; i++)
		assert_true(np_match_packet(&m, pk(state, i)));
}

static void test_port(void **state)
{
	struct np_match m;
	memset(&m, 0, sizeof m);
	m.has_port = true;
	m.port = 80; /* TCP source over IPv4, TCP destination over IPv6 */
	assert_true(np_match_packet(&m, pk(state, P_TCP)));
	assert_true(np_match_packet(&m, pk(state, P_TCP6)));
	assert_false(np_match_packet(&m, pk(state, P_UDP)));
	assert_false(np_match_packet(&m, pk(state, P_ICMP))); /* the quote doesn't count */
	assert_false(np_match_packet(&m, pk(state, P_ARP)));
	assert_false(np_match_packet(&m, pk(state, P_OTHER)));
	m.port = 40000; /* TCP destination */
	assert_true(np_match_packet(&m, pk(state, P_TCP)));
	assert_false(np_match_packet(&m, pk(state, P_TCP6)));
	m.port = 53; /* UDP destination */
	assert_true(np_match_packet(&m, pk(state, P_UDP)));
	assert_false(np_match_packet(&m, pk(state, P_TCP)));
	m.port = 5353; /* UDP source */
	assert_true(np_match_packet(&m, pk(state, P_UDP)));
	m.port = 0;
	assert_false(np_match_packet(&m, pk(state, P_ICMP)));
	assert_false(np_match_packet(&m, pk(state, P_TCP)));
}

/* The ports must have been captured for a port to match. */
static void test_port_needs_captured_ports(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = ip4(f, 6, tcp_80_40000, sizeof tcp_80_40000);
	struct np_match m;
	memset(&m, 0, sizeof m);
	m.has_port = true;
	m.port = 40000;
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, f, 34 + 3, n); /* 3 bytes of TCP: the destination port is cut */
	assert_false(np_match_packet(&m, &t.p));
	t_free(&t);
	t_decode_ex(&t, DLT_EN10MB, f, 34 + 4, n);
	assert_true(np_match_packet(&m, &t.p));
	t_free(&t);
}

/* Through VLAN tags and cooked headers alike: the reason these are not BPF. */
static void test_port_through_vlan_and_sll(void **state)
{
	(void)state;
	uint8_t plain[128], f[128];
	uint32_t pn = ip4(plain, 17, udp_5353_53, sizeof udp_5353_53);
	static const uint8_t tag[] = {
		0x81, 0x00, 0x00, 0x64, /* 802.1Q VID 100 */
	};
	uint32_t n = 0;
	t_append(f, &n, plain, 12);
	t_append(f, &n, tag, sizeof tag);
	t_append(f, &n, plain + 12, pn - 12);
	struct np_match m;
	memset(&m, 0, sizeof m);
	m.has_port = true;
	m.port = 53;
	add_host(&m, "10.0.0.2");
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(np_match_packet(&m, &t.p));
	t_free(&t);

	static const uint8_t sll[] = {
		0x00, 0x00,                         /* to us */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00, 0x06,                         /* address length */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* address */
		0x00, 0x00,                         /* padding */
		0x08, 0x00,                         /* protocol IPv4 */
	};
	n = 0;
	t_append(f, &n, sll, sizeof sll);
	t_append(f, &n, plain + 14, pn - 14);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_true(np_match_packet(&m, &t.p));
	t_free(&t);
}

static void test_host(void **state)
{
	struct np_match m;
	memset(&m, 0, sizeof m);
	add_host(&m, "10.0.0.2"); /* IPv4 destination */
	assert_true(np_match_packet(&m, pk(state, P_TCP)));
	assert_true(np_match_packet(&m, pk(state, P_UDP)));
	assert_true(np_match_packet(&m, pk(state, P_ICMP)));
	assert_false(np_match_packet(&m, pk(state, P_TCP6)));
	assert_false(np_match_packet(&m, pk(state, P_ARP)));
	assert_false(np_match_packet(&m, pk(state, P_OTHER)));

	memset(&m, 0, sizeof m);
	add_host(&m, "10.0.0.1"); /* IPv4 source */
	assert_true(np_match_packet(&m, pk(state, P_TCP)));

	memset(&m, 0, sizeof m);
	add_host(&m, "2001:db8::1"); /* IPv6 source */
	assert_true(np_match_packet(&m, pk(state, P_TCP6)));
	assert_false(np_match_packet(&m, pk(state, P_TCP)));
	memset(&m, 0, sizeof m);
	add_host(&m, "2001:0db8:0000::0002"); /* IPv6 destination, written long */
	assert_true(np_match_packet(&m, pk(state, P_TCP6)));

	memset(&m, 0, sizeof m);
	add_host(&m, "192.168.1.1"); /* ARP sender */
	assert_true(np_match_packet(&m, pk(state, P_ARP)));
	assert_false(np_match_packet(&m, pk(state, P_TCP)));
	memset(&m, 0, sizeof m);
	add_host(&m, "192.168.1.2"); /* ARP target */
	assert_true(np_match_packet(&m, pk(state, P_ARP)));

	/* Several hosts: any of them. */
	memset(&m, 0, sizeof m);
	add_host(&m, "192.168.1.2");
	add_host(&m, "2001:db8::2");
	assert_true(np_match_packet(&m, pk(state, P_ARP)));
	assert_true(np_match_packet(&m, pk(state, P_TCP6)));
	assert_false(np_match_packet(&m, pk(state, P_TCP)));

	/* An IPv4 address is not the IPv4-mapped IPv6 one. */
	memset(&m, 0, sizeof m);
	add_host(&m, "::ffff:10.0.0.2");
	assert_false(np_match_packet(&m, pk(state, P_TCP)));
}

static void test_port_and_host(void **state)
{
	struct np_match m;
	memset(&m, 0, sizeof m);
	m.has_port = true;
	m.port = 80;
	add_host(&m, "10.0.0.1");
	assert_true(np_match_packet(&m, pk(state, P_TCP)));   /* both */
	assert_false(np_match_packet(&m, pk(state, P_UDP)));  /* host only */
	assert_false(np_match_packet(&m, pk(state, P_TCP6))); /* port only */
	assert_false(np_match_packet(&m, pk(state, P_ICMP))); /* host only */
	assert_false(np_match_packet(&m, pk(state, P_ARP)));
}

static void test_numeric_parse(void **state)
{
	(void)state;
	struct np_match m;
	memset(&m, 0, sizeof m);
	add_host(&m, "10.0.0.1");
	add_host(&m, "2001:db8::1");
	add_host(&m, "10.0.0.1"); /* the same again: kept once */
	assert_int_equal(m.nhosts, 2);
	assert_int_equal(m.hosts[0].ver, 4);
	assert_memory_equal(m.hosts[0].addr, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
	assert_int_equal(m.hosts[1].ver, 6);
	assert_memory_equal(m.hosts[1].addr,
			    ((uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }),
			    16);
	assert_false(m.has_port);

	/* A full table does not overflow: one host too many is an error, not a silent drop. */
	memset(&m, 0, sizeof m);
	for (int i = 0; i < NP_MATCH_MAX_HOSTS; i++) {
		char a[32];
		snprintf(a, sizeof a, "10.1.0.%d", i);
		add_host(&m, a);
	}
	char err[128] = "";
	assert_int_equal(np_match_add_host(&m, "10.2.0.1", err, sizeof err), -1);
	assert_non_null(strstr(err, "too many --host"));
	assert_int_equal(m.nhosts, NP_MATCH_MAX_HOSTS);
	assert_int_equal(np_match_add_host(&m, "10.1.0.3", err, sizeof err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decoded_as_expected),
		cmocka_unit_test(test_no_shorthands_match_everything),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_port_needs_captured_ports),
		cmocka_unit_test(test_port_through_vlan_and_sll),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_port_and_host),
		cmocka_unit_test(test_numeric_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
