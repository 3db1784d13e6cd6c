/* macsec.c - MACsec (IEEE 802.1AE-2018) on Ethertype 0x88e5: the SecTAG (TCI and association
 * number, short length, packet number, the secure channel identifier when SC is set), then the
 * secure data and a 16-byte ICV (the default cipher suites' length). A frame with E and C clear
 * is integrity-only: its secure data is the original Ethertype and payload in clear, decoded
 * as such, as Wireshark does; a frame with E set is encrypted and said to be so. */
#include <inttypes.h>
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define MACSEC_V 0x80
#define MACSEC_SC 0x20
#define MACSEC_E 0x08
#define MACSEC_C 0x04
#define MACSEC_ICV 16

static bool sectag(struct np_cursor *c, struct np_packet *p, struct np_macsec *m)
{
	uint32_t hi, lo;
	if (!np_cur_u8(c, &m->tci_an) || !np_cur_u8(c, &m->sl) || !np_cur_u32(c, &m->pn)) {
		np_problem(p, NP_L_MACSEC, NP_TRUNCATED, "MACsec SecTAG cut short");
		return false;
	}
	m->got = 6;
	m->sl &= 0x3f; /* two reserved bits */
	if (m->tci_an & MACSEC_V) {
		np_problem(p, NP_L_MACSEC, NP_UNSUPPORTED, "MACsec version not 0");
		return false;
	}
	if (m->tci_an & MACSEC_SC) {
		if (!np_cur_u32(c, &hi) || !np_cur_u32(c, &lo)) {
			np_problem(p, NP_L_MACSEC, NP_TRUNCATED, "MACsec SCI cut short");
			return false;
		}
		m->sci = (uint64_t)hi << 32 | lo;
		m->got = 14;
	}
	return true;
}

void np_decode_macsec(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_MACSEC);
	if (!l)
		return;
	struct np_macsec *m = &l->macsec;
	memset(m, 0, sizeof *m);
	if (!sectag(c, p, m))
		return;
	/* The secure data: SL bytes when SL is set (a short frame, maybe padded), else all that
	 * the wire holds before the ICV. A frame whose ICV is shorter than 16 bytes is flagged,
	 * its payload still read (as tshark does with tcpdump's macsec-short-shorter.pcap). */
	uint32_t wire = np_wire_left(p, np_frame_off(p, c));
	if ((!m->sl && wire < MACSEC_ICV) || m->sl > wire) {
		np_problem(p, NP_L_MACSEC, NP_INVALID, "MACsec frame shorter than its ICV");
		return;
	}
	uint32_t len = m->sl ? m->sl : wire - MACSEC_ICV;
	if (wire - len < MACSEC_ICV)
		np_problem(p, NP_L_MACSEC, NP_INVALID, "MACsec ICV shorter than 16 bytes");
	else if (np_cur_left(c) >= (size_t)len + MACSEC_ICV)
		m->icv_len = MACSEC_ICV;
	else if (np_cur_left(c) >= len) /* the payload whole, its ICV not */
		np_problem(p, NP_L_MACSEC, NP_TRUNCATED, "MACsec ICV cut short");
	struct np_cursor d;
	(void)np_cur_sub(c, len, &d); /* fewer captured: the inner layers say truncated */
	if (m->tci_an & (MACSEC_E | MACSEC_C)) {
		m->encrypted = true; /* ciphertext: nothing more to read */
		return;
	}
	if (!np_cur_u16(&d, &m->ethertype)) {
		np_problem(p, NP_L_MACSEC, NP_TRUNCATED, "MACsec payload Ethertype cut short");
		return;
	}
	if (!np_decode_ethertype(&d, p, m->ethertype))
		np_problem(p, NP_L_MACSEC, NP_UNSUPPORTED, "Ethertype not decoded");
}

/* --- rendering --- */

static void macsec_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	/* Named before a readable payload's Info ("MACsec: "); alone, Wireshark's words. */
	if (l->macsec.encrypted)
		np_sb_lit(sb, "MACsec frame (encrypted)");
	else
		np_sb_lit(sb, "MACsec");
}

static void macsec_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_macsec *m = &l->macsec;
	fprintf(o, "802.1AE Security tag\n");
	if (m->got < 6)
		return;
	fprintf(o, NP_I1 "TCI: 0x%02x (SC %u, E %u, C %u)\n" NP_I1 "AN: 0x%x\n" NP_I1
		"Short length: %u\n" NP_I1 "Packet number: %" PRIu32 "\n", m->tci_an >> 2,
		!!(m->tci_an & MACSEC_SC), !!(m->tci_an & MACSEC_E), !!(m->tci_an & MACSEC_C),
		m->tci_an & 3, m->sl, m->pn);
	if (m->got >= 14)
		fprintf(o, NP_I1 "SCI: %016" PRIx64 "\n", m->sci);
	if (m->encrypted)
		fprintf(o, NP_I1 "[Encrypted payload: not decoded]\n");
	else if (m->ethertype)
		fprintf(o, NP_I1 "Type: 0x%04x\n", m->ethertype);
	if (m->icv_len)
		fprintf(o, NP_I1 "ICV: %u bytes\n", m->icv_len);
}

static unsigned macsec_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			    const struct np_view *v)
{
	(void)v;
	const struct np_macsec *m = &l->macsec;
	OPEN(w, "macsec");
	if (m->got >= 6) {
		NUM(w, "tci", m->tci_an >> 2); /* as 802.1AE numbers the TCI bits: V..C */
		NUM(w, "an", m->tci_an & 3);
		NUM(w, "sl", m->sl);
		NUM(w, "pn", m->pn);
	}
	if (m->got >= 14)
		NUM(w, "sci", m->sci);
	if (m->got >= 6)
		BOOL(w, "encrypted", m->encrypted);
	if (m->ethertype)
		NUM(w, "type", m->ethertype);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_macsec = {
	.kind = NP_L_MACSEC,
	.key = "macsec",
	.title = "802.1AE Security tag",
	.encap = true,
	.proto = "MACSEC", /* Wireshark's Protocol column */
	.info = macsec_info,
	.tree = macsec_tree,
	.json = macsec_json,
};
