package pickle

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// randomSessions is a Python program that prints, for many random session
// dicts, the pickle of one (at a random protocol, 2 to 5) in base64 and its
// repr, on one line; given base64 pickles on stdin instead ("read"), it
// prints the repr of each. Nested dicts are built with sorted keys, the
// order EncodeDict writes them in.
const randomSessions = `
import base64, datetime, pickle, random, sys

if sys.argv[1] == "read":
    for line in sys.stdin:
        print(repr(pickle.loads(base64.b64decode(line))))
    sys.exit()

rnd = random.Random(int(sys.argv[2]))
CHARS = "aZ09 _-é€😀\u2028\"'\\\n\t\x00"

def text():
    return "".join(rnd.choice(CHARS) for _ in range(rnd.randrange(0, 12)))

def scalar():
    k = rnd.randrange(8)
    if k == 0: return rnd.choice([None, True, False])
    if k == 1: return rnd.randrange(-300, 70000)
    if k == 2: return rnd.randrange(-2**70, 2**70) * rnd.choice([1, 2**rnd.randrange(0, 300)])
    if k == 3: return rnd.choice([0.0, -0.0, 1.0, 0.1, 1e300, -2.5e-300, float("inf"), rnd.random()])
    if k == 4: return rnd.choice([2**63 - 1, -2**63, 2**64 - 1, 2**64, -2**63 - 1, 2**31, -2**31 - 1, 255, 256, 65535, 65536])
    return text()

def value(depth):
    k = rnd.randrange(6) if depth < 5 else 0
    if k <= 2: return scalar()
    n = rnd.randrange(0, 6)
    if k == 3: return [value(depth + 1) for _ in range(n)]
    if k == 4: return tuple(value(depth + 1) for _ in range(n))
    return {key: value(depth + 1) for key in sorted({text() for _ in range(n)})}

for _ in range(int(sys.argv[3])):
    d = {}
    shared = [1, "shared"]
    for _ in range(rnd.randrange(0, 8)):
        d[text()] = value(1)
    if rnd.random() < 0.3:
        d["a"], d["b"] = shared, shared
    if rnd.random() < 0.3:
        d["_session_expiry"] = datetime.datetime(2026, 12, 7, 18, 0, 0, rnd.randrange(0, 10**6),
            tzinfo=rnd.choice([None, datetime.timezone.utc, datetime.timezone(datetime.timedelta(minutes=-330))]))
    data = pickle.dumps(d, rnd.randrange(2, 6))
    print(base64.b64encode(data).decode(), repr(d))
`

// TestRandomSessionsCrossFromPythonToGoAndBack has Python pickle many
// random sessions at protocols 2 to 5; Go reads each and writes it back,
// and Python must read what Go wrote as the same value (its repr tells a
// tuple from a list, 1 from 1.0, -0.0 from 0.0, and shows a datetime's
// tzinfo). Set PICKLE_ROUNDS for more than the default 300.
func TestRandomSessionsCrossFromPythonToGoAndBack(t *testing.T) {
	needPython(t)
	rounds := "300"
	if r := os.Getenv("PICKLE_ROUNDS"); r != "" {
		rounds = r
	}
	gen := exec.Command(python3, "-c", randomSessions, "gen", "33", rounds)
	gen.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	out, err := gen.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var in bytes.Buffer
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		b64, repr, _ := strings.Cut(sc.Text(), " ")
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		keys, values, err := DecodeDict(data)
		if err != nil {
			t.Fatalf("Go cannot read Python's %s: %v", repr, err)
		}
		again, err := EncodeDict(keys, values)
		if err != nil {
			t.Fatalf("Go cannot write back %s: %v", repr, err)
		}
		in.WriteString(base64.StdEncoding.EncodeToString(again) + "\n")
		want = append(want, repr)
	}
	if len(want) < 100 {
		t.Fatalf("python made %d sessions", len(want))
	}
	read := exec.Command(python3, "-c", randomSessions, "read")
	read.Env = gen.Env
	read.Stdin = &in
	back, err := read.Output()
	if err != nil {
		t.Fatalf("python cannot read what Go wrote: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(back), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("python read %d sessions of %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("session %d: Python wrote\n%s\nand read back\n%s", i, want[i], got[i])
		}
	}
}
