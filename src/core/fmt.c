/* fmt.c - address formatting every area uses: IPv4/IPv6 (RFC 5952 text form) and MAC. */
#include "netprobe/fmt.h"
#include "sbuf.h"

char *np_fmt_addr(int ipver, const uint8_t *a, char *buf)
{
	struct np_sbuf sb = np_sb_make(buf, NP_ADDR_STRLEN);
	if (ipver == 6)
		np_sb_ip6(&sb, a);
	else
		np_sb_ip4(&sb, a);
	return buf;
}

char *np_fmt_mac(const uint8_t *m, size_t n, char *buf, size_t cap)
{
	/* Whole bytes only, "xx" then ":xx" each, as long as they and the NUL fit. */
	size_t k = cap >= 4 ? cap / 3 : 0;
	if (k > n)
		k = n;
	if (!k) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	/* np_put_mac writes one byte past the text: through a buffer, 8 bytes at a time. */
	char tmp[3 * 8 + 1], *e = buf;
	for (size_t i = 0; i < k;) {
		size_t c = k - i > 8 ? 8 : k - i;
		np_put_mac(tmp, m + i, c);
		memcpy(e, tmp, 3 * c); /* "xx:" per byte */
		e += 3 * c;
		i += c;
	}
	e[-1] = '\0';
	return buf;
}
