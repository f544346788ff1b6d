package kuznyechik

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func block(t testing.TB, s string) [16]byte {
	return [16]byte(mustHex(t, s))
}

// RFC 7801 §5.1–5.3: S, R and L on their own.
func TestTransformations(t *testing.T) {
	tablesOnce.Do(buildTables)
	sVec := []string{"ffeeddccbbaa99881122334455667700", "b66cd8887d38e8d77765aeea0c9a7efc",
		"559d8dd7bd06cbfe7e7b262523280d39", "0c3322fed531e4630d80ef5c5a81c50b", "23ae65633f842d29c5df529c13f5acda"}
	for i := 0; i+1 < len(sVec); i++ {
		in := block(t, sVec[i])
		lo, hi := subst(load(in[:])[0], load(in[:])[1], &pi)
		var got [16]byte
		store(got[:], [2]uint64{lo, hi})
		if got != block(t, sVec[i+1]) {
			t.Errorf("S(%s) = %x", sVec[i], got)
		}
		lo, hi = subst(lo, hi, &piInv)
		store(got[:], [2]uint64{lo, hi})
		if got != in {
			t.Errorf("S^-1(S(%s)) = %x", sVec[i], got)
		}
	}
	rVec := []string{"00000000000000000000000000000100", "94000000000000000000000000000001",
		"a5940000000000000000000000000000", "64a59400000000000000000000000000", "0d64a594000000000000000000000000"}
	for i := 0; i+1 < len(rVec); i++ {
		b := block(t, rVec[i])
		x := lFunc(&b)
		copy(b[1:], b[:15])
		b[0] = x
		if b != block(t, rVec[i+1]) {
			t.Errorf("R(%s) = %x", rVec[i], b)
		}
	}
	lVec := []string{"64a59400000000000000000000000000", "d456584dd0e3e84cc3166e4b7fa2890d",
		"79d26221b87b584cd42fbc4ffea5de9a", "0e93691a0cfc60408b7b68f66b513c13", "e6a8094fee0aa204fd97bcb0b44b8580"}
	for i := 0; i+1 < len(lVec); i++ {
		b := block(t, lVec[i])
		linear(&b)
		if b != block(t, lVec[i+1]) {
			t.Errorf("L(%s) = %x", lVec[i], b)
		}
		linearInv(&b)
		if b != block(t, lVec[i]) {
			t.Errorf("L^-1(L(%s)) = %x", lVec[i], b)
		}
	}
}

// RFC 7801 §5.4: the round keys.
func TestKeySchedule(t *testing.T) {
	want := []string{
		"8899aabbccddeeff0011223344556677", "fedcba98765432100123456789abcdef",
		"db31485315694343228d6aef8cc78c44", "3d4553d8e9cfec6815ebadc40a9ffd04",
		"57646468c44a5e28d3e59246f429f1ac", "bd079435165c6432b532e82834da581b",
		"51e640757e8745de705727265a0098b1", "5a7925017b9fdd3ed72a91a22286f984",
		"bb44e25378c73123a5f32f73cdb6e517", "72e9dd7416bcf45b755dbaa88e4a4043",
	}
	c, err := NewCipher(mustHex(t, "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		var got [16]byte
		store(got[:], c.(*Cipher).enc[i])
		if got != block(t, w) {
			t.Errorf("K_%d = %x, want %s", i+1, got, w)
		}
	}
}

// RFC 7801 §5.5–5.6: one block each way.
func TestRFC7801(t *testing.T) {
	c, err := NewCipher(mustHex(t, "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	pt := mustHex(t, "1122334455667700ffeeddccbbaa9988")
	ct := mustHex(t, "7f679d90bebc24305a468d42b9d4edcd")
	got := make([]byte, 16)
	c.Encrypt(got, pt)
	if !bytes.Equal(got, ct) {
		t.Errorf("Encrypt = %x, want %x", got, ct)
	}
	c.Decrypt(got, ct)
	if !bytes.Equal(got, pt) {
		t.Errorf("Decrypt = %x, want %x", got, pt)
	}
	// In place.
	buf := bytes.Clone(pt)
	c.Encrypt(buf, buf)
	c.Decrypt(buf, buf)
	if !bytes.Equal(buf, pt) {
		t.Errorf("in-place round trip = %x", buf)
	}
}

func TestKeySizes(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		c, err := NewCipher(make([]byte, n))
		if err == nil || c != nil {
			t.Errorf("key of %d bytes accepted", n)
		} else if !strings.Contains(err.Error(), "32") {
			t.Errorf("key of %d bytes: unclear error %q", n, err)
		}
	}
}

func TestShortBlockPanics(t *testing.T) {
	c, _ := NewCipher(make([]byte, KeySize))
	for name, f := range map[string]func(){
		"encrypt short src": func() { c.Encrypt(make([]byte, 16), make([]byte, 15)) },
		"encrypt short dst": func() { c.Encrypt(make([]byte, 15), make([]byte, 16)) },
		"decrypt short src": func() { c.Decrypt(make([]byte, 16), make([]byte, 15)) },
		"decrypt short dst": func() { c.Decrypt(make([]byte, 15), make([]byte, 16)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
