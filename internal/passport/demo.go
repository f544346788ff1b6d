package passport

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"
)

// DemoHolder returns an obviously fictitious holder for demo mode and tests: names from a
// short list, birth dates in 1980–1999, a generated picture as the photo, ИНН and СНИЛС of the
// format's examples. n picks the person.
func DemoHolder(n int) Holder {
	surnames := []string{"Тестова", "Примеров", "Образцова", "Демонстров"}
	given := []string{"Анна Сергеевна", "Пётр Иванович", "Мария Олеговна", "Юрий Ильич"}
	sexes := []string{"F", "M", "F", "M"}
	i := n % len(surnames)
	return Holder{
		Surname: surnames[i], GivenNames: given[i], Sex: sexes[i],
		BirthDate:  time.Date(1980+n%20, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Образцовск", Citizenship: "RUS", INN: "500100732259", SNILS: "112-233-445 95",
		PaperSeries: "4508", PaperNumber: fmt.Sprintf("%06d", 100000+n), Photo: demoPhoto(n),
	}
}

// demoPhoto draws a small grey figure, different for each n (so that each photo digest is).
func demoPhoto(n int) []byte {
	img := image.NewGray(image.Rect(0, 0, 60, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 60; x++ {
			v := uint8(0xe0)
			dx, dy := x-30, y-30
			if dx*dx+dy*dy < 196 || y > 55 && dx*dx < (y-40)*(y-40) {
				v = uint8(0x60 + n%64)
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// IssueDemo issues a demo passport (demo mode, tests, benchmarks).
func (s *Service) IssueDemo(ctx context.Context, n int, accountID string) (*Passport, error) {
	h := DemoHolder(n)
	h.AccountID = accountID
	return s.Issue(ctx, h)
}
