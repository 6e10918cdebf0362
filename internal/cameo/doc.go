// Package cameo holds the project's own tables of the CAMEO event-coding scheme:
// every event code with its label, root, base code, quad class and Goldstein value,
// the actor type (role) codes, and the country codes with their FIPS 10-4 and
// ISO 3166-1 numeric equivalents and the names other datasets use for them.
//
// The tables are facts from the CAMEO codebook (Schrodt 2012), the Goldstein (1992)
// scale as GDELT applies it, and the country-code standards. They live in the
// package's own TSV files, embedded at build time; tests cross-check them against
// GDELT's and ICEWS's published lookup files in ../shared/data/cameo.
package cameo
