package main

import (
	"fmt"
	"math/big"
)

// Field reductions the generator knows.
const (
	kindMinus = iota // p = 2^(64n) - c: fold the high half with c
	kindPlus         // p = 2^(64n-1) + c: 2^(64n) = -2c mod p
	kindMont         // any odd p: Montgomery multiplication
)

// field describes one prime field (or scalar ring mod q) to emit.
type field struct {
	Name string // Go type name
	P    *big.Int
	N    int // 64-bit limbs
	Kind int
	C    uint64 // the c of kindMinus and kindPlus
	Doc  string
}

// curve describes one curve to emit. Hex strings are big-endian, as printed in
// RFC 7836 Appendix A, RFC 4357 §11.4 and RFC 9215 Appendices C and E.
type curve struct {
	ID       string // name known to the gost3410 package
	Prefix   string // prefix of the Go identifiers
	Doc      string
	F        *field
	S        *field // scalars mod q
	Form     string // "a3" (Weierstrass, a = -3), "generic" (Weierstrass), "edwards"
	A, B     string
	Q        string
	X, Y     string
	Cofactor int
	EdD      string // Edwards d (e = 1 for both Edwards curves here)
	EdU, EdV string // base point in Edwards form
}

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return n
}

func newField(name, p, doc string) *field {
	f := &field{Name: name, P: hexInt(p), Doc: doc}
	f.N = (f.P.BitLen() + 63) / 64
	top := new(big.Int).Lsh(big.NewInt(1), uint(64*f.N))
	half := new(big.Int).Rsh(top, 1)
	c := new(big.Int).Sub(top, f.P)
	d := new(big.Int).Sub(f.P, half)
	switch {
	case c.Sign() > 0 && c.BitLen() <= 31:
		f.Kind, f.C = kindMinus, c.Uint64()
	case d.Sign() > 0 && d.BitLen() <= 30:
		f.Kind, f.C = kindPlus, d.Uint64()
	default:
		f.Kind = kindMont
	}
	return f
}

func newScalarField(name, q string) *field {
	f := newField(name, q, "")
	f.Kind = kindMont // scalars always use Montgomery form: one code path, reductions of any input
	return f
}

const (
	p256a = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97"
	p512a = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7"
)

var (
	fp256a = newField("fp256a", p256a, "GF(2^256 - 617), the field of TC26-256-A and CryptoPro-A")
	fp256b = newField("fp256b", "8000000000000000000000000000000000000000000000000000000000000C99", "GF(2^255 + 3225), the field of CryptoPro-B")
	fp256c = newField("fp256c", "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B", "the field of CryptoPro-C")
	fp256t = newField("fp256t", "8000000000000000000000000000000000000000000000000000000000000431", "GF(2^255 + 1073), the field of the GOST R 34.10-2001 test curve")
	fp512a = newField("fp512a", p512a, "GF(2^512 - 569), the field of TC26-512-A and TC26-512-C")
	fp512b = newField("fp512b", "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F", "GF(2^511 + 111), the field of TC26-512-B")
	fp512t = newField("fp512t", "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373", "the field of the TC26 512-bit test curve")
)

var curves = []*curve{
	{
		ID: "tc26-256-A", Prefix: "tc256a", Doc: "id-tc26-gost-3410-2012-256-paramSetA (RFC 7836 A.2), a twisted Edwards curve with cofactor 4",
		F: fp256a, Form: "edwards", Cofactor: 4,
		A:   "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		B:   "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		Q:   "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		X:   "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		Y:   "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
		EdD: "605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB",
		EdU: "D",
		EdV: "60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7",
	},
	{
		ID: "cryptopro-A", Prefix: "cpA", Doc: "id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 §11.4) = TC26-256-B = XchA",
		F: fp256a, Form: "a3", Cofactor: 1,
		A: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		B: "A6",
		Q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		X: "1",
		Y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
	},
	{
		ID: "cryptopro-B", Prefix: "cpB", Doc: "id-GostR3410-2001-CryptoPro-B-ParamSet (RFC 4357 §11.4) = TC26-256-C",
		F: fp256b, Form: "a3", Cofactor: 1,
		A: "8000000000000000000000000000000000000000000000000000000000000C96",
		B: "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		Q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		X: "1",
		Y: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
	},
	{
		ID: "cryptopro-C", Prefix: "cpC", Doc: "id-GostR3410-2001-CryptoPro-C-ParamSet (RFC 4357 §11.4) = TC26-256-D = XchB",
		F: fp256c, Form: "a3", Cofactor: 1,
		A: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		B: "805A",
		Q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		X: "0",
		Y: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
	},
	{
		ID: "test-2001", Prefix: "t2001", Doc: "id-GostR3410-2001-TestParamSet (RFC 4357 §11.4, RFC 7091 §7), for tests only",
		F: fp256t, Form: "generic", Cofactor: 1,
		A: "7",
		B: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		Q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		X: "2",
		Y: "8E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
	},
	{
		ID: "tc26-512-A", Prefix: "tc512a", Doc: "id-tc26-gost-3410-12-512-paramSetA (RFC 7836 A.1)",
		F: fp512a, Form: "a3", Cofactor: 1,
		A: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		B: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		Q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		X: "3",
		Y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
	},
	{
		ID: "tc26-512-B", Prefix: "tc512b", Doc: "id-tc26-gost-3410-12-512-paramSetB (RFC 7836 A.1)",
		F: fp512b, Form: "a3", Cofactor: 1,
		A: "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
		B: "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
		Q: "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
		X: "2",
		Y: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
	},
	{
		ID: "tc26-512-C", Prefix: "tc512c", Doc: "id-tc26-gost-3410-2012-512-paramSetC (RFC 7836 A.2), a twisted Edwards curve with cofactor 4",
		F: fp512a, Form: "edwards", Cofactor: 4,
		A:   "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
		B:   "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
		Q:   "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
		X:   "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
		Y:   "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
		EdD: "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439CA6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550",
		EdU: "12",
		EdV: "469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B38669522DD4B650CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D",
	},
	{
		ID: "tc26-512-test", Prefix: "t512", Doc: "id-tc26-gost-3410-2012-512-paramSetTest (RFC 9215 Appendix E), for tests only",
		F: fp512t, Form: "generic", Cofactor: 1,
		A: "7",
		B: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
		Q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
		X: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
		Y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
	},
}

func init() {
	for _, c := range curves {
		c.S = newScalarField(c.Prefix+"Scalar", c.Q)
		if c.S.N != c.F.N {
			panic(fmt.Sprintf("%s: scalar and field limb counts differ", c.ID))
		}
		c.check()
	}
}

// check verifies, at generation time, the facts the emitted code relies on.
func (c *curve) check() {
	p := c.F.P
	a, b, x, y := hexInt(c.A), hexInt(c.B), hexInt(c.X), hexInt(c.Y)
	mod := func(n *big.Int) *big.Int { return n.Mod(n, p) }
	lhs := mod(new(big.Int).Mul(y, y))
	rhs := mod(new(big.Int).Add(new(big.Int).Mul(new(big.Int).Add(new(big.Int).Mul(x, x), a), x), b))
	if lhs.Cmp(rhs) != 0 {
		panic(c.ID + ": base point not on the curve")
	}
	switch c.Form {
	case "a3":
		if new(big.Int).Add(a, big.NewInt(3)).Cmp(p) != 0 {
			panic(c.ID + ": a is not -3")
		}
	case "edwards":
		d := hexInt(c.EdD)
		// Completeness of the Edwards addition law needs d to be a non-square (e = 1 is a square).
		if big.Jacobi(d, p) != -1 {
			panic(c.ID + ": Edwards d is a square")
		}
		u, v := hexInt(c.EdU), hexInt(c.EdV)
		s, t := c.edST()
		// u = (x - t)/y, v = (x - s - t)/(x + s - t)
		uu := mod(new(big.Int).Mul(new(big.Int).Sub(x, t), new(big.Int).ModInverse(y, p)))
		den := mod(new(big.Int).Sub(new(big.Int).Add(x, s), t))
		vv := mod(new(big.Int).Mul(mod(new(big.Int).Sub(new(big.Int).Sub(x, s), t)), new(big.Int).ModInverse(den, p)))
		if uu.Cmp(u) != 0 || vv.Cmp(v) != 0 {
			panic(c.ID + ": Edwards base point does not match the Weierstrass one")
		}
	}
}

// edST returns s = (e - d)/4 and t = (e + d)/6 with e = 1, the constants of the map between
// the Edwards and Weierstrass forms (RFC 7836 A.2 notes).
func (c *curve) edST() (s, t *big.Int) {
	p := c.F.P
	d := hexInt(c.EdD)
	one := big.NewInt(1)
	s = new(big.Int).Sub(one, d)
	s.Mul(s, new(big.Int).ModInverse(big.NewInt(4), p)).Mod(s, p)
	t = new(big.Int).Add(one, d)
	t.Mul(t, new(big.Int).ModInverse(big.NewInt(6), p)).Mod(t, p)
	return s, t
}
