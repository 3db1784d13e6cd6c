/* test_json.c - the --json printer (src/print/json.c): one JSON object per packet on one line,
 * layers not decoded left out, and fields whose bytes were not captured left out. */
#include <stdio.h>

#include "netprobe/print.h"
#include "testutil.h"

/* ---- a strict little JSON reader (RFC 8259), enough to validate and look up paths ---- */

static void ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool skip_string(const char **p)
{
	if (**p != '"')
		return false;
	for ((*p)++; **p != '"'; (*p)++) {
		unsigned char ch = (unsigned char)**p;
		if (ch < 0x20) /* control characters must be escaped (includes the NUL at the end) */
			return false;
		if (ch == '\\') {
			(*p)++;
			if (**p == 'u') {
				for (int i = 0; i < 4; i++) {
					(*p)++;
					if (!strchr("0123456789abcdefABCDEF", **p) || !**p)
						return false;
				}
			} else if (!**p || !strchr("\"\\/bfnrt", **p)) {
				return false;
			}
		}
	}
	(*p)++;
	return true;
}

static bool digits(const char **p)
{
	if (**p < '0' || **p > '9')
		return false;
	while (**p >= '0' && **p <= '9')
		(*p)++;
	return true;
}

static bool skip_value(const char **p)
{
	ws(p);
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';
		bool obj = **p == '{';
		(*p)++;
		ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		for (;;) {
			ws(p);
			if (obj) {
				if (!skip_string(p))
					return false;
				ws(p);
				if (**p != ':')
					return false;
				(*p)++;
			}
			if (!skip_value(p))
				return false;
			ws(p);
			if (**p == ',') {
				(*p)++;
				continue;
			}
			if (**p != close)
				return false;
			(*p)++;
			return true;
		}
	}
	if (**p == '"')
		return skip_string(p);
	static const char *const words[] = { "true", "false", "null" };
	for (size_t i = 0; i < 3; i++) {
		if (strncmp(*p, words[i], strlen(words[i])) == 0) {
			*p += strlen(words[i]);
			return true;
		}
	}
	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (!digits(p))
		return false;
	if (**p == '.') {
		(*p)++;
		if (!digits(p))
			return false;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!digits(p))
			return false;
	}
	return true;
}

/* The value of member `key` of the object at `obj`, or NULL. */
static const char *member(const char *obj, const char *key, size_t klen)
{
	const char *p = obj;
	ws(&p);
	if (*p != '{')
		return NULL;
	p++;
	ws(&p);
	if (*p == '}')
		return NULL;
	for (;;) {
		ws(&p);
		const char *k = p;
		if (!skip_string(&p))
			return NULL;
		ws(&p);
		p++; /* ':' */
		ws(&p);
		if ((size_t)(p - k) >= klen + 2 && strncmp(k + 1, key, klen) == 0 && k[klen + 1] == '"')
			return p;
		if (!skip_value(&p))
			return NULL;
		ws(&p);
		if (*p != ',')
			return NULL;
		p++;
	}
}

/* Look up a dotted path ("tcp.sport") and copy the value's text, or return false. */
static bool lookup(const char *json, const char *path, char *out, size_t cap)
{
	const char *v = json;
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t klen = dot ? (size_t)(dot - path) : strlen(path);
		v = member(v, path, klen);
		if (!v)
			return false;
		path += klen + (dot ? 1 : 0);
	}
	const char *end = v;
	if (!skip_value(&end))
		return false;
	size_t n = (size_t)(end - v);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

static void assert_json(const char *json, const char *path, const char *want)
{
	char got[512];
	if (!lookup(json, path, got, sizeof got))
		fail_msg("%s missing from %s", path, json);
	if (strcmp(got, want) != 0)
		fail_msg("%s is %s, expected %s", path, got, want);
}

static void assert_no_json(const char *json, const char *path)
{
	char got[512];
	if (lookup(json, path, got, sizeof got))
		fail_msg("%s should be absent but is %s", path, got);
}

/* Print one packet as JSON into a heap buffer (caller frees) and check its shape: exactly one
 * line, ending in a newline, holding one valid JSON object. */
static char *json_of(int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t len)
{
	struct t_pkt t;
	t_decode_ex(&t, dlt, bytes, caplen, len);
	t.f.n = 42;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	struct np_print_ctx ctx;
	np_print_init(&ctx, out, NP_TS_RELATIVE, false);
	np_print_json(&ctx, &t.p, NULL);
	assert_int_equal(fclose(out), 0);
	t_free(&t);

	assert_true(size > 1);
	assert_int_equal(buf[size - 1], '\n');
	assert_ptr_equal(strchr(buf, '\n'), buf + size - 1); /* one line */
	const char *p = buf;
	assert_true(skip_value(&p));
	assert_ptr_equal(p, buf + size - 1); /* nothing after the object but the newline */
	assert_int_equal(buf[0], '{');
	return buf;
}

/* ---- packets ------------------------------------------------------------------------ */

#define IP_AT 14
#define TCP_AT 34

static const uint8_t syn[] = {
	/* Ethernet */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
	/* IPv4 */
	0x45, 0x00,                         /* version 4, IHL 5, TOS */
	0x00, 0x30,                         /* total length 48 */
	0x1c, 0x46,                         /* identification 7238 */
	0x40, 0x00,                         /* DF */
	0x40, 0x06,                         /* TTL 64, protocol TCP */
	0x00, 0x00,                         /* header checksum: filled in */
	0xc0, 0xa8, 0x01, 0x0a,             /* source 192.168.1.10 */
	0xc0, 0xa8, 0x01, 0x14,             /* destination 192.168.1.20 */
	/* TCP */
	0xc8, 0x22,                         /* source port 51234 */
	0x22, 0xb8,                         /* destination port 8888 */
	0x12, 0x34, 0x56, 0x78,             /* sequence number 305419896 */
	0x00, 0x00, 0x00, 0x00,             /* acknowledgment number 0 */
	0x70, 0x02,                         /* data offset 7; SYN */
	0xfa, 0xf0,                         /* window 64240 */
	0x00, 0x00,                         /* checksum: filled in */
	0x00, 0x00,                         /* urgent pointer */
	0x02, 0x04, 0x05, 0xb4,             /* MSS 1460 */
	0x01,                               /* NOP */
	0x03, 0x03, 0x07,                   /* window scale 7 */
};

static uint32_t make_syn(uint8_t *f)
{
	memcpy(f, syn, sizeof syn);
	t_fix_ip4(f + IP_AT);
	t_fix_l4_ip4(f + IP_AT, 16);
	return sizeof syn;
}

static void test_tcp_keys(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make_syn(f);
	char *js = json_of(DLT_EN10MB, f, n, n);
	assert_json(js, "type", "\"packet\"");
	assert_json(js, "n", "42");
	assert_json(js, "ts", "\"1700000000.123456\"");
	assert_json(js, "caplen", "62");
	assert_json(js, "len", "62");
	assert_json(js, "link", "\"EN10MB\"");
	assert_json(js, "eth.src", "\"66:77:88:99:aa:bb\"");
	assert_json(js, "eth.dst", "\"00:11:22:33:44:55\"");
	assert_json(js, "eth.type", "2048");
	assert_json(js, "ip.v", "4");
	assert_json(js, "ip.src", "\"192.168.1.10\"");
	assert_json(js, "ip.dst", "\"192.168.1.20\"");
	assert_json(js, "ip.ttl", "64");
	assert_json(js, "ip.proto", "6");
	assert_json(js, "ip.len", "48");
	assert_json(js, "ip.id", "7238");
	assert_json(js, "ip.csum_status", "\"good\"");
	assert_json(js, "tcp.sport", "51234");
	assert_json(js, "tcp.dport", "8888");
	assert_json(js, "tcp.seq", "305419896");
	assert_json(js, "tcp.ack", "0");
	assert_json(js, "tcp.flags", "2");
	assert_json(js, "tcp.flag_names", "[\"SYN\"]");
	assert_json(js, "tcp.win", "64240");
	assert_json(js, "tcp.len", "0");
	assert_json(js, "tcp.csum_status", "\"good\"");
	assert_json(js, "tcp.opts.mss", "1460");
	assert_json(js, "tcp.opts.ws", "7");
	assert_json(js, "truncated", "false");
	assert_json(js, "malformed", "false");
	/* Layers that are not there are left out, not printed empty. */
	assert_no_json(js, "udp");
	assert_no_json(js, "icmp");
	assert_no_json(js, "icmp6");
	assert_no_json(js, "arp");
	assert_no_json(js, "sll");
	assert_no_json(js, "vlan");
	assert_no_json(js, "problems");
	assert_no_json(js, "tcp.opts.ts");
	assert_no_json(js, "tcp.opts.sack_perm");
	free(js);
}

static void test_flag_names_order(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make_syn(f);
	f[TCP_AT + 12] = 0x71; /* AE */
	f[TCP_AT + 13] = 0xd3; /* CWR, ECE, ACK, SYN, FIN */
	t_fix_l4_ip4(f + IP_AT, 16);
	char *js = json_of(DLT_EN10MB, f, n, n);
	assert_json(js, "tcp.flags", "467");
	assert_json(js, "tcp.flag_names", "[\"FIN\",\"SYN\",\"ACK\",\"ECE\",\"CWR\",\"AE\"]");
	free(js);
}

static void test_ts_six_decimals(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make_syn(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t.f.ts_usec = 5;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	struct np_print_ctx ctx;
	np_print_init(&ctx, out, NP_TS_RELATIVE, false);
	np_print_json(&ctx, &t.p, NULL);
	t.f.ts_usec = 0;
	t.f.ts_sec = 0;
	np_print_json(&ctx, &t.p, NULL); /* a second packet: a second line */
	fclose(out);
	assert_json(buf, "ts", "\"1700000000.000005\"");
	const char *second = strchr(buf, '\n') + 1;
	assert_json(second, "ts", "\"0.000000\"");
	assert_ptr_equal(strchr(second, '\n'), buf + size - 1);
	free(buf);
	t_free(&t);
}

/* Cut inside the TCP header: only the fields whose bytes were captured. */
static void test_truncated_omits_uncaptured(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make_syn(f);
	char *js = json_of(DLT_EN10MB, f, TCP_AT + 10, n);
	assert_json(js, "caplen", "44");
	assert_json(js, "len", "62");
	assert_json(js, "tcp.sport", "51234");
	assert_json(js, "tcp.dport", "8888");
	assert_json(js, "tcp.seq", "305419896");
	assert_no_json(js, "tcp.ack");
	assert_no_json(js, "tcp.flags");
	assert_no_json(js, "tcp.flag_names");
	assert_no_json(js, "tcp.win");
	assert_no_json(js, "tcp.len");
	assert_no_json(js, "tcp.opts");
	assert_no_json(js, "tcp.csum_status");
	assert_json(js, "truncated", "true");
	assert_json(js, "malformed", "false");
	assert_json(js, "problems", "[{\"layer\":\"ipv4\",\"verdict\":\"truncated\",\"what\":"
				    "\"IPv4 datagram cut short by the snapshot length\"},"
				    "{\"layer\":\"tcp\",\"verdict\":\"truncated\",\"what\":"
				    "\"TCP header cut short\"}]");
	free(js);

	/* Cut inside the IPv4 header: no addresses, no transport. */
	js = json_of(DLT_EN10MB, f, IP_AT + 12, n);
	assert_json(js, "ip.v", "4");
	assert_json(js, "ip.len", "48");
	assert_json(js, "ip.id", "7238");
	assert_json(js, "ip.ttl", "64");
	assert_json(js, "ip.proto", "6");
	assert_no_json(js, "ip.src");
	assert_no_json(js, "ip.dst");
	assert_no_json(js, "tcp");
	free(js);

	js = json_of(DLT_EN10MB, f, IP_AT + 3, n);
	assert_no_json(js, "ip.len");
	assert_no_json(js, "ip.ttl");
	free(js);

	/* Cut inside the Ethernet header: no layer objects at all. */
	js = json_of(DLT_EN10MB, f, 10, n);
	assert_no_json(js, "eth");
	assert_no_json(js, "ip");
	assert_json(js, "truncated", "true");
	free(js);
}

/* An IPv6 header cut after the next-header byte: "proto" is that byte, not a guess. */
static void test_truncated_ipv6(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x14,             /* payload length 20 */
		0x06,                   /* next header TCP */
		0x40,                   /* hop limit 64 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* destination */
	};
	char *js = json_of(DLT_RAW, pkt, 20, 60);
	assert_json(js, "link", "\"RAW\"");
	assert_json(js, "ip.v", "6");
	assert_json(js, "ip.proto", "6");
	assert_json(js, "ip.ttl", "64");
	assert_json(js, "ip.len", "20");
	assert_no_json(js, "ip.src");
	assert_no_json(js, "tcp");
	assert_json(js, "truncated", "true");
	free(js);

	/* The whole IPv6 header and nothing of TCP: no empty TCP object, a problem instead. */
	js = json_of(DLT_RAW, pkt, sizeof pkt, sizeof pkt + 20);
	assert_json(js, "ip.src", "\"2001:db8::1\"");
	assert_json(js, "ip.dst", "\"2001:db8::2\"");
	assert_no_json(js, "tcp");
	assert_json(js, "problems", "[{\"layer\":\"ipv6\",\"verdict\":\"truncated\",\"what\":"
				    "\"IPv6 payload cut short by the snapshot length\"},"
				    "{\"layer\":\"ipv6\",\"verdict\":\"truncated\",\"what\":"
				    "\"transport header not captured\"}]");
	free(js);
}

static void test_other_layers(void **state)
{
	(void)state;
	static const uint8_t arp[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination: broadcast */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* source MAC */
		0x81, 0x00, 0x20, 0x07,             /* 802.1Q, PCP 1, VID 7 */
		0x08, 0x06,                         /* Ethertype ARP */
		0x00, 0x01, 0x08, 0x00,             /* Ethernet, IPv4 */
		0x06, 0x04,                         /* address lengths */
		0x00, 0x01,                         /* request */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
		0xc0, 0xa8, 0x01, 0x01,             /* sender IP */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
		0xc0, 0xa8, 0x01, 0x02,             /* target IP */
	};
	char *js = json_of(DLT_EN10MB, arp, sizeof arp, sizeof arp);
	assert_json(js, "arp.op", "1");
	assert_json(js, "arp.spa", "\"192.168.1.1\"");
	assert_json(js, "arp.tpa", "\"192.168.1.2\"");
	assert_json(js, "arp.sha", "\"02:11:22:33:44:55\"");
	assert_json(js, "vlan", "[{\"tpid\":33024,\"pcp\":1,\"dei\":0,\"id\":7}]");
	assert_no_json(js, "ip");
	assert_no_json(js, "tcp");
	free(js);

	/* UDP behind SLL2, sent by this host. */
	static const uint8_t udp[] = {
		0x08, 0x00,                         /* protocol IPv4 */
		0x00, 0x00,                         /* reserved */
		0x00, 0x00, 0x00, 0x02,             /* interface index 2 */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x04,                               /* outgoing */
		0x06,                               /* address length 6 */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* address */
		0x00, 0x00,                         /* padding */
		0x45, 0x00, 0x00, 0x1c,             /* IPv4, total length 28 */
		0x00, 0x01, 0x00, 0x00,             /* identification, flags/offset */
		0x40, 0x11, 0x00, 0x00,             /* TTL 64, UDP, header checksum (0: offloaded) */
		0x0a, 0x00, 0x00, 0x01,             /* source */
		0x0a, 0x00, 0x00, 0x02,             /* destination */
		0x04, 0xd2, 0x00, 0x35,             /* ports 1234 -> 53 */
		0x00, 0x08, 0x00, 0x00,             /* length 8, no checksum */
	};
	js = json_of(DLT_LINUX_SLL2, udp, sizeof udp, sizeof udp);
	assert_json(js, "link", "\"LINUX_SLL2\"");
	assert_json(js, "sll.ifindex", "2");
	assert_json(js, "sll.pkttype", "4");
	assert_json(js, "outgoing", "true");
	assert_json(js, "ip.csum_status", "\"offloaded\"");
	assert_json(js, "udp.sport", "1234");
	assert_json(js, "udp.len", "8");
	assert_json(js, "udp.csum_status", "\"absent\"");
	assert_no_json(js, "eth");
	assert_no_json(js, "tcp");
	free(js);
}

static void test_unsupported_link(void **state)
{
	(void)state;
	static const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef }; /* not decoded */
	char *js = json_of(DLT_USER0, junk, sizeof junk, sizeof junk);
	assert_json(js, "link", "\"unsupported\"");
	assert_json(js, "problems", "[{\"layer\":\"link\",\"verdict\":\"unsupported\",\"what\":"
				    "\"link type not decoded\"}]");
	assert_no_json(js, "eth");
	free(js);
}

/* The validator itself rejects what it should, so the checks above mean something. */
static void test_validator(void **state)
{
	(void)state;
	static const char *const bad[] = { "{", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\" 1}",
					   "01", "1.", "\"a\tb\"", "{a:1}", "tru" };
	for (size_t i = 0; i < T_ARRAY_LEN(bad); i++) {
		const char *p = bad[i];
		assert_false(skip_value(&p) && *p == '\0');
	}
	const char *ok = "{\"a\":[1,-2.5e3,\"x\\\"y\",true,null,{}],\"b\":{\"c\":0}}";
	const char *p = ok;
	assert_true(skip_value(&p));
	assert_int_equal(*p, '\0');
	assert_json(ok, "b.c", "0");
	assert_no_json(ok, "b.d");
	assert_no_json(ok, "c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_keys),
		cmocka_unit_test(test_flag_names_order),
		cmocka_unit_test(test_ts_six_decimals),
		cmocka_unit_test(test_truncated_omits_uncaptured),
		cmocka_unit_test(test_truncated_ipv6),
		cmocka_unit_test(test_other_layers),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_validator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
