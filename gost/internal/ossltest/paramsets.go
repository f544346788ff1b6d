package ossltest

// Paramset pairs a gost engine key algorithm and -pkeyopt paramset value with
// the gost3410 curve name it selects (gost-vectors.md §7 note 1: paramset:A
// of gost2012_256 is CryptoPro-A, not TC26-256-A).
type Paramset struct {
	Algorithm string // gost2012_256 or gost2012_512
	Paramset  string // value of -pkeyopt paramset:
	Curve     string // gost3410.CurveByName name
	Digest    string // openssl dgst option of the matching Streebog
}

// Paramsets lists every parameter set the Debian gost engine can generate
// keys on.
var Paramsets = []Paramset{
	{"gost2012_256", "TCA", "tc26-256-A", "-md_gost12_256"},
	{"gost2012_256", "TCB", "tc26-256-B", "-md_gost12_256"},
	{"gost2012_256", "TCC", "tc26-256-C", "-md_gost12_256"},
	{"gost2012_256", "TCD", "tc26-256-D", "-md_gost12_256"},
	{"gost2012_256", "A", "cryptopro-A", "-md_gost12_256"},
	{"gost2012_256", "B", "cryptopro-B", "-md_gost12_256"},
	{"gost2012_256", "C", "cryptopro-C", "-md_gost12_256"},
	{"gost2012_256", "XA", "cryptopro-XchA", "-md_gost12_256"},
	{"gost2012_256", "XB", "cryptopro-XchB", "-md_gost12_256"},
	{"gost2012_512", "A", "tc26-512-A", "-md_gost12_512"},
	{"gost2012_512", "B", "tc26-512-B", "-md_gost12_512"},
	{"gost2012_512", "C", "tc26-512-C", "-md_gost12_512"},
}

// GenerateKey makes a PEM private key on ps with the engine.
func (o *OpenSSL) GenerateKey(ps Paramset) ([]byte, error) {
	return o.Run(nil, "genpkey", "-engine", "gost", "-algorithm", ps.Algorithm, "-pkeyopt", "paramset:"+ps.Paramset)
}
