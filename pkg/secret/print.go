package secret

import "io"

// WriteLine writes the raw secret and a newline to w: the delivery of
// `replex auth token`, whose whole purpose is to print the credential.
func WriteLine(w io.Writer, s Secret) error {
	_, err := io.WriteString(w, s.Reveal()+"\n")
	return err
}
