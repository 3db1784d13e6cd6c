/* checksum.c - Internet checksum verdicts (RFC 1071) with IPv4/IPv6 pseudo-headers
 * (RFC 9293 s3.1, RFC 768, RFC 8200 s8.1). */
#include "netprobe/decode.h"
#include "netprobe/hot.h"

static uint32_t sum_bytes(const uint8_t *a, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)((a[i] << 8) | a[i + 1]);
	return s;
}

NP_HOT uint32_t np_pseudo_sum(const struct np_packet *p, uint8_t proto, uint32_t len)
{
	uint32_t s;
	/* The innermost network layer, looked up once (its kind says which address pair). */
	const struct np_pkt_layer *net = p->net_at ? &p->layer[p->net_at - 1] : NULL;
	const struct np_ipv6 *ip6 = net && net->kind == NP_L_IP6 ? &net->ip6 : NULL;
	const struct np_ipv4 *ip4 = net && net->kind == NP_L_IP4 ? &net->ip4 : NULL;
	if (ip6) {
		s = sum_bytes(ip6->src, 16) + sum_bytes(ip6->dst, 16);
		s += (len >> 16) + (len & 0xffff) + proto;
	} else {
		/* Both halves of the length, as Linux's csum_tcpudp_magic() adds it: a
		 * segmentation-offload (BIG TCP) segment can be longer than 65535 bytes. */
		s = ip4 ? sum_bytes(ip4->src, 4) + sum_bytes(ip4->dst, 4) : 0;
		s += (len >> 16) + (len & 0xffff) + proto;
	}
	return np_csum_fold(s);
}

/* Checksum offload (Linux CHECKSUM_PARTIAL, BSD CSUM_TCP/CSUM_UDP) hands the frame on with the
 * TCP or UDP checksum field holding only the folded pseudo-header sum, not complemented, for the
 * card to finish: Linux writes ~csum_tcpudp_magic(saddr, daddr, len, proto, 0) (IPv4) or
 * ~csum_ipv6_magic(...) (IPv6), BSD in_pseudo(). Every capture point before the card sees it:
 * the sender's interface, loopback, and both ends of a veth pair, which never fill it in. The
 * value says so by itself, whatever the link type or direction. ICMP and ICMPv6 sums are always
 * computed in software, so an ICMP sum is never left unfilled. */
NP_HOT enum np_csum np_l4_csum(const struct np_packet *p, const struct np_cursor *c, uint8_t proto,
			uint32_t len, uint16_t wire, uint16_t *good)
{
	/* A first fragment lacks the rest of the datagram; a routing header changes the
	 * destination the sender summed over (RFC 8200 s8.1). Neither can be checked here. */
	const struct np_ipv6 *ip6 = np_pkt_ip6(p);
	if (p->l4_fragment || (ip6 && ip6->has_routing))
		return NP_CSUM_UNVERIFIED;
	/* One pseudo-header sum serves both the offload test and the full sum. */
	uint32_t sum = proto == 1 ? 0 : np_pseudo_sum(p, proto, len);
	bool unfilled = (proto == 6 || proto == 17) && wire == sum;
	/* The pseudo-header alone shows an unfilled field, even when the snapshot length cut
	 * the bytes the full sum needs. */
	if (!np_cur_sum16(c, len, &sum))
		return unfilled ? NP_CSUM_OFFLOADED : NP_CSUM_UNVERIFIED;
	uint16_t folded = np_csum_fold(sum);
	/* The sum without the checksum field: one's-complement subtraction is adding ~wire. */
	*good = (uint16_t)~np_csum_fold((uint32_t)folded + (uint16_t)~wire);
	if (folded == 0xffff)
		return NP_CSUM_GOOD;
	/* Wrong, unless the field holds what offload leaves; any other value is an error on
	 * any link and in any direction (a raw or AF_PACKET sender put it on the wire). */
	return unfilled ? NP_CSUM_OFFLOADED : NP_CSUM_BAD;
}
