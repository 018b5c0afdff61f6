package filestore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// childEnv names the operation a child process runs (see TestChildProcess);
// childEnv+"_DIR", "_KEY" and "_N" its arguments.
const childEnv = "GINSESSION_FILESTORE_CHILD"

// TestChildProcess is not a test of its own: it is the body of the child
// processes the cross-process tests start, a store of its own on the
// parent's directory.
//
//   - increment: prints "ready", waits for a line on stdin, then adds N to
//     the counter under KEY with storetest.Increment.
//   - delete: prints "deleting" and deletes KEY.
func TestChildProcess(t *testing.T) {
	op := os.Getenv(childEnv)
	if op == "" {
		t.Skip("the body of the child processes of the cross-process tests")
	}
	s, err := filestore.New(os.Getenv(childEnv + "_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	key, ctx := os.Getenv(childEnv+"_KEY"), context.Background()
	switch op {
	case "increment":
		n, err := strconv.Atoi(os.Getenv(childEnv + "_N"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		conflicts := 0
		if err := storetest.Increment(ctx, s, key, n, &conflicts); err != nil {
			t.Fatal(err)
		}
		fmt.Println("conflicts", conflicts)
	case "delete":
		fmt.Println("deleting")
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown child operation %q", op)
	}
}

// child is a running child process and its standard streams.
type child struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	done chan error // receives cmd.Wait's result
	errs *strings.Builder
}

func startChild(t *testing.T, op, dir, key string, n int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+op, childEnv+"_DIR="+dir, childEnv+"_KEY="+key, childEnv+"_N="+strconv.Itoa(n))
	c := &child{cmd: cmd, done: make(chan error, 1), errs: new(strings.Builder)}
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.out = bufio.NewReader(out)
	cmd.Stderr = c.errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return c
}

// expect reads lines from the child until one starts with word.
func (c *child) expect(t *testing.T, word string) string {
	t.Helper()
	for {
		line, err := c.out.ReadString('\n')
		if strings.HasPrefix(line, word) {
			return strings.TrimSpace(line)
		}
		if err != nil {
			t.Fatalf("child %v: no %q line (%v); stderr:\n%s", c.cmd.Args, word, err, c.errs)
		}
	}
}

// wait waits for the child to finish, reading its output to the end.
func (c *child) wait(t *testing.T) string {
	t.Helper()
	rest, _ := io.ReadAll(c.out)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child %v: %v\n%s%s", c.cmd.Args, err, rest, c.errs)
	}
	return string(rest)
}

func skipWithoutCrossProcessLocks(t *testing.T) {
	if !filestore.CrossProcess {
		t.Skip("no flock(2) on this platform: writers exclude each other within one process only")
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
}

// Several processes, each with a store of its own on one directory, add to
// one counter by compare-and-swap loops, all starting at once: every
// increment must be there at the end.
func TestSwapIsAtomicAcrossProcesses(t *testing.T) {
	skipWithoutCrossProcessLocks(t)
	const procs, each = 4, 150
	s := newStore(t)
	key := stores.NewKey()
	if err := s.Create(context.Background(), key, []byte("0"), later()); err != nil {
		t.Fatal(err)
	}
	children := make([]*child, procs)
	for i := range children {
		children[i] = startChild(t, "increment", s.Dir(), key, each)
	}
	for _, c := range children {
		c.expect(t, "ready")
	}
	for _, c := range children {
		if _, err := io.WriteString(c.in, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	conflicts := 0
	for _, c := range children {
		out := c.wait(t)
		var n int
		if i := strings.Index(out, "conflicts"); i >= 0 {
			if _, err := fmt.Sscanf(out[i:], "conflicts %d", &n); err == nil {
				conflicts += n
			}
		}
	}
	got, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(procs * each); string(got) != want {
		t.Fatalf("counter = %s after %d processes added %d each, want %s: increments were lost", got, procs, each, want)
	}
	t.Logf("%d increments by %d processes, %d conflicts retried", procs*each, procs, conflicts)
}

// A Delete in another process that arrives while a swap holds the record,
// between its compare and its rename, waits for the swap: the record is gone
// afterwards, not brought back by the rename.
func TestADeleteInAnotherProcessWaitsForASwapInFlight(t *testing.T) {
	skipWithoutCrossProcessLocks(t)
	s := newStore(t)
	ctx := context.Background()
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("v1"), later()); err != nil {
		t.Fatal(err)
	}
	var deleter *child
	filestore.SetSwapped(s, func() {
		deleter = startChild(t, "delete", s.Dir(), key, 0)
		deleter.expect(t, "deleting")
		go func() { deleter.done <- deleter.cmd.Wait() }()
		// Time for an unlocked Delete to land; a locked one must wait.
		select {
		case err := <-deleter.done:
			t.Errorf("the other process's Delete finished (%v) while the swap held the record", err)
		case <-time.After(300 * time.Millisecond):
		}
	})
	if _, err := s.CompareAndSwap(ctx, key, []byte("v1"), []byte("v2"), later()); err != nil {
		t.Fatalf("CompareAndSwap: %v", err)
	}
	filestore.SetSwapped(s, nil)
	select {
	case err := <-deleter.done:
		if err != nil {
			t.Fatalf("the deleting process: %v\n%s", err, deleter.errs)
		}
	case <-time.After(time.Minute):
		t.Fatal("the deleting process never finished")
	}
	if got, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load after the Delete = %q, %v; want ErrNotFound (the swap brought the record back)", got, err)
	}
}
