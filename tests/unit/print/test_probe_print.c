/* test_probe_print.c - the probe printers (src/print/probe_text.c, src/print/probe_json.c):
 * the same run through the text and the JSON implementation, every op but answer (a decoded
 * answer is the live tests' part), compared with the lines ping and trace have always printed. */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>

#include "netprobe/printer.h"
#include "testutil.h"

static const uint8_t router[16] = { 10, 77, 10, 2 };
static const uint8_t target[16] = { 10, 77, 20, 2 };

/* Everything the printer wrote to its stream. */
static char *drain(FILE *f)
{
	static char buf[4096];
	fflush(f);
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void open_printer(struct np_probe_printer *pr, bool json, enum np_probe_kind k)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	np_probe_printer_init(pr, json ? NP_OUT_JSON : NP_OUT_LINE, f, false, false, np_probe_module(k), 4, "", "10.77.20.2");
}

static struct np_probe_hop two_of_three(void)
{
	struct np_probe_hop h = { .first_seq = 4, .nq = 3, .final = true };
	h.answered[0] = h.answered[2] = true;
	h.rtt[0] = 0.25;
	h.rtt[2] = 1.5;
	memcpy(h.from[0], target, 16);
	memcpy(h.from[2], router, 16);
	return h;
}

static void test_trace_text(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, false, NP_PROBE_SYN);
	struct np_probe_head head = { .cmd = NP_CMD_TRACE, .host = "b", .target = "10.77.20.2",
				      .max_ttl = 5 };
	pr.ops->start(&pr, &head);
	struct np_probe_hop h = two_of_three();
	pr.ops->hop(&pr, 2, &h);
	struct np_rtt r = { 0 };
	struct np_probe_totals t = { .cmd = NP_CMD_TRACE, .host = "b", .sent = 3, .received = 2,
				     .rtt = &r, .reached = true };
	pr.ops->summary(&pr, pr.out, &t);
	pr.ops->close(&pr);
	assert_string_equal(drain(pr.out), "trace to b (10.77.20.2), 5 hops max, TCP SYN probes\n"
					   " 2  10.77.20.2  0.250 ms * 10.77.10.2  1.500 ms\n");
}

static void test_trace_json(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, true, NP_PROBE_ICMP);
	struct np_probe_head head = { .cmd = NP_CMD_TRACE, .host = "b", .target = "10.77.20.2" };
	pr.ops->start(&pr, &head);
	struct np_probe_hop h = two_of_three();
	pr.ops->hop(&pr, 2, &h);
	memset(&h, 0, sizeof h);
	h.nq = 2;
	pr.ops->hop(&pr, 3, &h);
	struct np_rtt r = { 0 };
	np_rtt_add(&r, 0.25);
	np_rtt_add(&r, 1.5);
	struct np_probe_totals t = { .cmd = NP_CMD_TRACE, .host = "b", .sent = 5, .received = 2,
				     .rtt = &r, .reached = true };
	pr.ops->summary(&pr, pr.out, &t);
	assert_string_equal(
		drain(pr.out),
		"{\"type\":\"hop\",\"ttl\":2,\"addr\":\"10.77.20.2\",\"rtt_ms\":[0.250,1.500],\"reached\":true}\n"
		"{\"type\":\"hop\",\"ttl\":3,\"addr\":null,\"rtt_ms\":[],\"reached\":false}\n"
		"{\"type\":\"summary\",\"transmitted\":5,\"received\":2,\"loss_pct\":60.0,\"reached\":true,"
		"\"rtt_min_ms\":0.250,\"rtt_avg_ms\":0.875,\"rtt_max_ms\":1.500,\"rtt_mdev_ms\":0.625}\n");
}

/* Probe seq to 10.77.20.2 port 33434 went unanswered. */
static void silence(struct np_probe_printer *pr, uint32_t seq)
{
	struct np_probe_answer a = { .seq = seq, .verdict = pr->m->silence, .dport = 33434 };
	memcpy(a.dst, "\x0a\x4d\x14\x02", 4);
	pr->ops->silence(pr, &a, 2.0);
}

static void test_ping_text(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, false, NP_PROBE_UDP);
	struct np_probe_head head = { .cmd = NP_CMD_PING, .host = "b", .target = "10.77.20.2",
				      .size = 16, .port = 33434 };
	pr.ops->start(&pr, &head);
	silence(&pr, 1);
	struct np_rtt r = { 0 };
	np_rtt_add(&r, 1.0);
	np_rtt_add(&r, 3.0);
	struct np_probe_totals t = { .cmd = NP_CMD_PING, .host = "b", .sent = 3, .received = 2,
				     .duplicates = 1, .errors = 0, .rtt = &r, .total_ms = 2004.4 };
	pr.ops->summary(&pr, pr.out, &t);
	assert_string_equal(drain(pr.out),
			    "PROBE b (10.77.20.2) port 33434/udp\n"
			    "From 10.77.20.2: seq=1 open|filtered (no answer within 2 s)\n"
			    "\n--- b UDP probe statistics ---\n"
			    "3 packets transmitted, 2 received, +1 duplicates, 33.3% packet loss, time 2004ms\n"
			    "rtt min/avg/max/mdev = 1.000/2.000/3.000/1.000 ms\n");
}

/* An echo request nobody answered shows only in the summary, as in iputils ping. */
static void test_ping_text_echo(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, false, NP_PROBE_ICMP);
	struct np_probe_head head = { .cmd = NP_CMD_PING, .host = "b", .target = "10.77.20.2",
				      .size = 56 };
	pr.ops->start(&pr, &head);
	silence(&pr, 1);
	struct np_rtt r = { 0 };
	struct np_probe_totals t = { .cmd = NP_CMD_PING, .host = "b", .sent = 1, .rtt = &r,
				     .total_ms = 0 };
	pr.ops->summary(&pr, pr.out, &t);
	assert_string_equal(drain(pr.out), "PING b (10.77.20.2) 56(84) bytes of data.\n"
					   "\n--- b ping statistics ---\n"
					   "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n"
					   "\n"); /* iputils' blank line when nothing came back */
}

static void test_ping_json(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, true, NP_PROBE_SYN);
	struct np_probe_head head = { .cmd = NP_CMD_PING, .host = "b", .target = "10.77.20.2" };
	pr.ops->start(&pr, &head);
	silence(&pr, 7);
	struct np_rtt r = { 0 };
	struct np_probe_totals t = { .cmd = NP_CMD_PING, .host = "b", .sent = 7, .errors = 2,
				     .rtt = &r, .total_ms = 6000.2 };
	pr.ops->summary(&pr, pr.out, &t);
	/* stdout's reader gone: the summary goes to the other stream, as text */
	FILE *err = tmpfile();
	assert_non_null(err);
	pr.ops->summary(&pr, err, &t);
	assert_string_equal(drain(pr.out),
			    "{\"type\":\"probe\",\"seq\":7,\"target\":\"10.77.20.2\",\"port\":33434,\"proto\":\"tcp\",\"verdict\":\"filtered\"}\n"
			    "{\"type\":\"summary\",\"transmitted\":7,\"received\":0,\"duplicates\":0,"
			    "\"errors\":2,\"loss_pct\":100.0,\"time_ms\":6000}\n");
	assert_string_equal(drain(err), "\n--- b SYN probe statistics ---\n"
					"7 packets transmitted, 0 received, +2 errors, 100% packet loss, time 6000ms\n"
					"\n");
}

static void test_scoped_addr(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	np_probe_printer_init(&pr, NP_OUT_LINE, stdout, false, false, np_probe_module(NP_PROBE_ICMP), 6,
			      "veth0", "fe80::1%veth0");
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t global[16] = { 0xfd, 0x77, [15] = 1 };
	char buf[NP_ADDR_STRLEN + 16];
	assert_string_equal(np_probe_printer_addr(&pr, ll, buf, sizeof buf), "fe80::1%veth0");
	assert_string_equal(np_probe_printer_addr(&pr, global, buf, sizeof buf), "fd77::1");
}

/* An IPv4 packet from 10.77.20.2 (or `from`) to 10.77.10.1 carrying `icmp` (n bytes). */
static void ip4_icmp(struct t_pkt *t, const uint8_t from[4], const uint8_t *icmp, size_t n)
{
	uint8_t b[128] = { 0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 63, 1, 0, 0, 0, 0, 0, 0, 10, 77, 10, 1 };
	memcpy(b + 12, from, 4);
	t_put16(b + 2, (uint16_t)(20 + n));
	memcpy(b + 20, icmp, n);
	t_fix_ip4(b);
	t_decode(t, DLT_RAW, b, (uint32_t)(20 + n));
}

/* ping's echo lines are iputils ping's (80 columns, its RTT digits and its error words); the
 * decoded detail only under -v. */
static void test_echo_lines(void **state)
{
	(void)state;
	struct np_probe_printer pr;
	open_printer(&pr, false, NP_PROBE_ICMP);
	struct np_probe_head head = { .cmd = NP_CMD_PING, .host = "b", .target = "10.77.20.2",
				      .size = 8 };
	pr.ops->start(&pr, &head);
	/* echo reply, id 0x1111 seq 1, 8 data bytes */
	uint8_t reply[16] = { 0, 0, 0, 0, 0x11, 0x11, 0, 1 };
	struct t_pkt t;
	ip4_icmp(&t, target, reply, sizeof reply);
	struct np_probe_answer a = { .seq = 1, .verdict = NP_PV_REPLY, .final = true };
	memcpy(a.from, target, 16);
	pr.ops->answer(&pr, &t.p, &a, 0.0815, false);   /* 81.5 us, to the whole us: 0.082 */
	pr.ops->answer(&pr, &t.p, &a, 1.2345, true);    /* 1235 us: 1.24 ms, (t + 5) / 10 */
	pr.ops->answer(&pr, &t.p, &a, 12.345, false);   /* 12.3 ms */
	pr.ops->answer(&pr, &t.p, &a, 123.456, false);  /* 123 ms */
	t_free(&t);
	/* Frag needed from the router, next-hop MTU 1000, quoting nothing more than its header */
	uint8_t frag[8] = { 3, 4, 0, 0, 0, 0, 0x03, 0xe8 };
	ip4_icmp(&t, router, frag, sizeof frag);
	struct np_probe_answer e = { .seq = 2, .verdict = NP_PV_UNREACHABLE };
	memcpy(e.from, router, 16);
	pr.ops->answer(&pr, &t.p, &e, 0.05, false);
	t_free(&t);
	uint8_t host[8] = { 3, 1 };
	ip4_icmp(&t, router, host, sizeof host);
	e.seq = 3;
	pr.ops->answer(&pr, &t.p, &e, 3000.0, false);
	t_free(&t);
	uint8_t ttl[8] = { 11, 0 };
	ip4_icmp(&t, router, ttl, sizeof ttl);
	e.seq = 4;
	e.verdict = NP_PV_TTL_EXCEEDED;
	pr.ops->answer(&pr, &t.p, &e, 0.05, false);
	t_free(&t);
	assert_string_equal(drain(pr.out),
			    "PING b (10.77.20.2) 8(36) bytes of data.\n"
			    "16 bytes from 10.77.20.2: icmp_seq=1 ttl=63 time=0.082 ms\n"
			    "16 bytes from 10.77.20.2: icmp_seq=1 ttl=63 time=1.24 ms (DUP!)\n"
			    "16 bytes from 10.77.20.2: icmp_seq=1 ttl=63 time=12.3 ms\n"
			    "16 bytes from 10.77.20.2: icmp_seq=1 ttl=63 time=123 ms\n"
			    "From 10.77.10.2 icmp_seq=2 Frag needed and DF set (mtu = 1000)\n"
			    "From 10.77.10.2 icmp_seq=3 Destination Host Unreachable\n"
			    "From 10.77.10.2 icmp_seq=4 Time to live exceeded\n");
}

/* connect() probes: no packet was read, so no TTL and no decoded answer. */
static void test_connect_answers(void **state)
{
	(void)state;
	struct np_frame f = { .n = 1 };
	static struct np_packet none; /* no layers */
	none.frame = &f;
	struct np_probe_answer a = { .seq = 1, .verdict = NP_PV_OPEN, .final = true, .dport = 8888 };
	memcpy(a.from, target, 16);
	memcpy(a.dst, target, 16);
	struct np_probe_printer pr;
	open_printer(&pr, false, NP_PROBE_SYN);
	pr.connect = true;
	struct np_probe_head head = { .cmd = NP_CMD_PING, .host = "b", .target = "10.77.20.2",
				      .port = 8888 };
	pr.ops->start(&pr, &head);
	pr.ops->answer(&pr, &none, &a, 0.25, false);
	assert_string_equal(drain(pr.out), "PROBE b (10.77.20.2) port 8888/tcp\n"
					   "From 10.77.20.2: seq=1 open time=0.250 ms | connect() "
					   "established (SYN/ACK), reset at once\n");
	open_printer(&pr, true, NP_PROBE_SYN);
	pr.connect = true;
	pr.ops->start(&pr, &head);
	a.verdict = NP_PV_CLOSED;
	pr.ops->answer(&pr, &none, &a, 0.25, false);
	assert_string_equal(drain(pr.out),
			    "{\"type\":\"probe\",\"seq\":1,\"target\":\"10.77.20.2\",\"port\":8888,"
			    "\"proto\":\"tcp\",\"verdict\":\"closed\",\"from\":\"10.77.20.2\","
			    "\"rtt_ms\":0.250,\"unprivileged\":true,\"method\":\"connect\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_text),
		cmocka_unit_test(test_trace_json),
		cmocka_unit_test(test_ping_text),
		cmocka_unit_test(test_ping_text_echo),
		cmocka_unit_test(test_ping_json),
		cmocka_unit_test(test_scoped_addr),
		cmocka_unit_test(test_echo_lines),
		cmocka_unit_test(test_connect_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
