/* app.h - the application layers' decoded fields (DNS, HTTP/1.x, TLS: src/proto/dns.c,
 * http.c, tls.c), kept in the packet's `app` (packet.h) rather than in its layers. */
#ifndef NETPROBE_APP_H
#define NETPROBE_APP_H

#include <stdbool.h>
#include <stdint.h>

/* DNS (RFC 1035; RFC 6891 OPT; RFC 2782 SRV; RFC 3596 AAAA; RFC 9460 SVCB, HTTPS): the header and the records kept
 * (questions first, then answers, authority and additional, in the order on the wire). Names
 * and data are text in `text` (NUL-terminated, offsets in the records), decompressed with a
 * bound on jumps, non-printing bytes escaped as \ddd (RFC 1035 s5.1). */
#define NP_DNS_MAX_RR 24
#define NP_DNS_TEXT 2048
#define NP_DNS_NONE 0xffff      /* a record offset with no text */
enum np_dns_section { NP_DNS_QD, NP_DNS_AN, NP_DNS_NS, NP_DNS_AR };
/* SVCB and HTTPS records (RFC 9460 s2.2) whose parameters are kept one by one (the data text
 * holds them all, as dig presents them). */
#define NP_DNS_MAX_SVCB 4
#define NP_DNS_MAX_SVCP 12
struct np_dns_svcp {
	uint16_t key, len;
	uint16_t value;        /* offset in text: the value as Wireshark shows it after "key=",
				* or NP_DNS_NONE (too long to keep) */
};
struct np_dns_svcb {
	uint16_t priority;
	uint16_t target;       /* offset in text */
	uint8_t nparams;
	bool more;             /* parameters past NP_DNS_MAX_SVCP not kept one by one */
	struct np_dns_svcp p[NP_DNS_MAX_SVCP];
};
struct np_dns_rr {
	uint8_t section;       /* enum np_dns_section */
	uint8_t svcb;          /* 1 + its index in svcb[], or 0 */
	uint16_t type, cls;
	uint32_t ttl;
	uint16_t rdlen;
	uint16_t name;         /* offset in text */
	uint16_t data;         /* offset in text, or NP_DNS_NONE (data not shown) */
};
struct np_dns {
	uint16_t got;          /* bytes of the 12-byte header captured */
	bool tcp;              /* over TCP: a 2-byte length prefix (RFC 1035 s4.2.2) */
	bool partial;          /* TCP: the message goes on past this segment */
	uint16_t tcp_len;
	uint16_t id, flags;
	uint16_t count[4];     /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
	uint8_t nrr;           /* records kept */
	bool more;             /* records past NP_DNS_MAX_RR (or the text room) not kept */
	uint8_t nsvcb;
	uint16_t text_len;
	struct np_dns_rr rr[NP_DNS_MAX_RR];
	char text[NP_DNS_TEXT];
	struct np_dns_svcb svcb[NP_DNS_MAX_SVCB];
};
#define NP_DNS_QR 0x8000

/* HTTP/1.x (RFC 9112): the start line and the headers people ask for, of a segment that
 * begins a message (per segment: the reassembler does not feed decoders). Text as captured,
 * non-printing bytes escaped as \xNN. */
#define NP_HTTP_TEXT 512
struct np_http {
	bool response;
	bool has_length;
	bool chunked;          /* Transfer-Encoding: chunked */
	bool headers_end;      /* the empty line ending the headers is in this segment */
	uint16_t status;
	uint32_t body_len;     /* bytes after the headers in this segment */
	uint64_t content_length;
	uint16_t method, uri, version, reason, host, ctype; /* offsets in text, NP_DNS_NONE: absent */
	uint16_t text_len;
	char text[NP_HTTP_TEXT];
};

/* TLS (RFC 8446, RFC 5246): the records of a segment and the hellos' fields. Nothing is
 * decrypted. */
#define NP_TLS_MAX_REC 16
#define NP_TLS_MAX_LIST 24
/* One message of a segment: a handshake message, or a record of another type. */
struct np_tls_rec {
	uint8_t type;          /* 20 CCS, 21 alert, 22 handshake, 23 application data */
	uint16_t version;
	uint16_t len;
	uint8_t hs;            /* handshake type of its first message (when type 22), 0xff: none */
	uint8_t alert_level, alert_desc; /* a readable alert */
	bool encrypted;        /* handshake record that does not parse: Encrypted Handshake Message */
};
struct np_tls {
	uint8_t nrec;
	bool more;             /* records past NP_TLS_MAX_REC */
	bool partial;          /* the last record goes on past this segment */
	uint16_t whole;        /* bytes of the records before the one that goes on */
	struct np_tls_rec rec[NP_TLS_MAX_REC];
	/* The version the conversation's ServerHello chose when it was TLS 1.3 (0x0304), set by
	 * src/track/apppair.c on the records after it, both ways (Wireshark's Protocol column
	 * names the session's version); 0 otherwise */
	uint16_t conv_version;
	/* The hello (ClientHello or ServerHello) of the segment, when there is one */
	uint8_t hello;         /* 1 ClientHello, 2 ServerHello, 0 none */
	uint8_t got;           /* how far its body was there: 0 nothing, 1 the legacy version,
				* 2 the cipher suite(s) too (a segment or snapshot may cut it) */
	uint16_t legacy_version;
	uint16_t version;      /* ServerHello: supported_versions' choice, else legacy */
	uint16_t cipher;       /* ServerHello */
	uint16_t group;        /* ServerHello: key_share's group */
	uint8_t nvers, nciphers, ngroups, nalpn;
	uint16_t versions[NP_TLS_MAX_LIST];
	uint16_t ciphers[NP_TLS_MAX_LIST];
	uint16_t groups[NP_TLS_MAX_LIST];
	uint16_t ciphers_total, groups_total;
	char sni[256];
	char alpn[96];         /* the protocols, comma-separated */
};

/* A request or response paired by src/track/apppair.c (the pipeline fills it after the
 * tracker; np_decode_with clears `kind`): a DNS query and its response (same transaction ID
 * and conversation, Wireshark's dns.response_to / dns.time), an HTTP request and the response
 * that answers it (each conversation's requests in order, Wireshark's http.request_in /
 * http.time). One pass: a request cannot name the frame of its response, as with tshark
 * without -2. */
enum np_pair_kind { NP_PAIR_NONE, NP_PAIR_REQUEST, NP_PAIR_RESPONSE, NP_PAIR_UNMATCHED };
struct np_app_pair {
	uint8_t kind;          /* enum np_pair_kind; UNMATCHED: a response to nothing seen */
	bool retransmit;       /* DNS: the same query again, still unanswered / answer again */
	uint32_t number;       /* HTTP: the request's number in its conversation, from 1 */
	uint64_t req_frame;    /* RESPONSE (and a retransmitted request): the request's frame */
	int64_t delta_us;      /* RESPONSE: its time since the request */
};

/* A message that spans TCP segments (src/track/apppdu.c, Wireshark's reassembled PDUs): the
 * segments before its end carry part of it (SEGMENT: Wireshark's "[TCP segment of a reassembled
 * PDU]"), the one that ends it carries the whole message decoded (DONE) and the frames it came
 * in, with the bytes each gave. */
#define NP_PDU_FRAMES 16
enum np_pdu_state { NP_PDU_NONE, NP_PDU_SEGMENT, NP_PDU_DONE };
struct np_pdu {
	uint8_t state;         /* enum np_pdu_state */
	uint8_t kind;          /* SEGMENT: the message's layer kind (NP_L_DNS...) */
	bool first;            /* SEGMENT: the message begins in it */
	char line[128];        /* SEGMENT of HTTP headers: the start line so far (printing ASCII) */
	uint8_t nframes;       /* DONE: frames listed (the first NP_PDU_FRAMES) */
	uint16_t more;         /* DONE: frames past the list */
	uint32_t len;          /* DONE: the message's bytes */
	uint64_t frame[NP_PDU_FRAMES];
	uint32_t bytes[NP_PDU_FRAMES];
};

/* The application layer of a packet (at most one): which one is its layer's kind. */
union np_app {
	struct np_dns dns;
	struct np_http http;
	struct np_tls tls;
};

#endif
