package ruid

import "math/big"

// Reference check-digit computations, written afresh from the wording of
// standards.md (not from the package's code) so that the property tests
// compare two independent readings of the rules.

func refSNILSCheck(body string) string {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(body[i]-'0') * (9 - i) // the weight is the position from the right
	}
	var check int
	switch {
	case sum < 100:
		check = sum
	case sum == 100 || sum == 101:
		check = 0
	default:
		check = sum % 101
		if check == 100 {
			check = 0
		}
	}
	return fmt2(check)
}

func fmt2(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// refINNResidue returns Σ wᵢ·dᵢ mod 11 for the digits the weights cover.
func refINNResidue(d string, w ...int) int {
	sum := 0
	for i, wi := range w {
		sum += wi * int(d[i]-'0')
	}
	return sum % 11
}

var (
	refW10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	refW11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	refW12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// refMod reads the digits as one big number and returns it mod m.
func refMod(digits string, m int64) int64 {
	n, _ := new(big.Int).SetString(digits, 10)
	return new(big.Int).Mod(n, big.NewInt(m)).Int64()
}

func refAccountSum(prefixed string) int {
	w := []int{7, 1, 3}
	sum := 0
	for i := range prefixed {
		sum += (int(prefixed[i]-'0') * w[i%3]) % 10 // the last digit of each product
	}
	return sum
}

func refUINResidue(body string, shift int) int {
	sum := 0
	for i := range body {
		sum += int(body[i]-'0') * ((i+shift)%10 + 1)
	}
	return sum % 11
}

func refUINCheck(body string) byte {
	if r := refUINResidue(body, 0); r != 10 {
		return byte('0' + r)
	}
	if r := refUINResidue(body, 2); r != 10 {
		return byte('0' + r)
	}
	return '0'
}
