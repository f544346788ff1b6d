package password

import (
	"context"
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(DefaultParams, 0)
	enc, err := h.Hash(ctx, "Верный-Пароль-2026!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry its parameters", enc)
	}
	if again, _ := h.Hash(ctx, "Верный-Пароль-2026!"); again == enc {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if ok, weaker, err := h.Verify(ctx, "Верный-Пароль-2026!", enc); !ok || weaker || err != nil {
		t.Fatalf("Verify(right) = %v, %v, %v", ok, weaker, err)
	}
	if ok, _, _ := h.Verify(ctx, "Верный-Пароль-2026?", enc); ok {
		t.Fatal("a wrong password verified")
	}
	stronger := NewHasher(Params{Memory: 32 * 1024, Time: 3, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	if ok, weaker, _ := stronger.Verify(ctx, "Верный-Пароль-2026!", enc); !ok || !weaker {
		t.Fatalf("a hash with older, weaker parameters: ok %v weaker %v; want it verified and reported weaker", ok, weaker)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=9999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5"} {
		if _, _, err := h.Verify(ctx, "x", bad); err != ErrMalformed {
			t.Errorf("Verify(%q): %v, want ErrMalformed", bad, err)
		}
	}
}

func TestHashingWaitsForASlot(t *testing.T) {
	h := NewHasher(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	h.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "x"); err == nil {
		t.Fatal("a hash ran without a free slot")
	}
}
