// The centrifuge-go peer of the ceaseless benchmark: follows the protocol in bench/PEERS.md.
//
// centrifuge-go runs every event handler of a client on one goroutine of its own, one after the
// other; the tally below is still behind a mutex because standard input (the recovery scenario's
// "status" request) is read on another goroutine.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge-go"
)

// body holds the fields of a benchmark publication a peer reads ("p", the padding, is skipped).
type body struct {
	I uint64 `json:"i"`
	T uint64 `json:"t"`
}

var stdout sync.Mutex

// emit writes one JSON line to standard output.
func emit(value map[string]any) {
	line, err := json.Marshal(value)
	if err != nil {
		log.Fatalf("cannot encode %v: %v", value, err)
	}
	stdout.Lock()
	defer stdout.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

func env(name string) string {
	value, ok := os.LookupEnv(name)
	if !ok {
		log.Fatalf("%s is not set", name)
	}
	return value
}

func number(name string) uint64 {
	raw := os.Getenv(name)
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		log.Fatalf("%s is not a number: %q", name, raw)
	}
	return n
}

func nowNs() uint64 { return uint64(time.Now().UnixNano()) }

// readInput reads standard input: each line is sent on the returned channel ("go on"); at the end of
// input the process exits at once.
func readInput() <-chan struct{} {
	lines := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		for scanner.Scan() {
			lines <- struct{}{}
		}
		os.Exit(0)
	}()
	return lines
}

type settings struct {
	url, token, channel string
	count               uint64
}

// newClient builds one client with the SDK's defaults (JSON protocol, default reconnect backoff).
func (s settings) newClient() *centrifuge.Client {
	return centrifuge.NewJsonClient(s.url, centrifuge.Config{Token: s.token, Name: "bench"})
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	scenario := env("BENCH_SCENARIO")
	s := settings{url: env("BENCH_URL"), token: env("BENCH_TOKEN"), channel: env("BENCH_CHANNEL"), count: number("BENCH_COUNT")}
	lines := readInput()
	switch scenario {
	case "throughput", "latency", "recovery":
		t := &tally{scenario: scenario, count: s.count}
		if scenario == "latency" {
			t.lat = make([]uint64, 0, s.count)
		}
		if scenario == "recovery" {
			t.seen = make(map[uint64]struct{}, s.count)
		}
		subscribeOne(s, scenario == "recovery", t.publication)
		emit(map[string]any{"event": "ready"})
		for range lines {
			if scenario == "recovery" {
				emit(t.status("status"))
			}
		}
	case "fleet":
		fleet(s, number("BENCH_CLIENTS"), lines)
		for range lines {
		}
	default:
		log.Fatalf("unknown scenario %q", scenario)
	}
}

// subscribeOne connects one client, subscribes it to the channel (recoverable and positioned when
// recover is set) with onPublication as its handler, and returns once it is subscribed.
func subscribeOne(s settings, recover bool, onPublication centrifuge.PublicationHandler) *centrifuge.Client {
	client := s.newClient()
	client.OnError(func(e centrifuge.ErrorEvent) { log.Printf("client error: %v", e.Error) })
	client.OnDisconnected(func(e centrifuge.DisconnectedEvent) { log.Printf("disconnected: %d %s", e.Code, e.Reason) })
	client.OnConnecting(func(e centrifuge.ConnectingEvent) { log.Printf("connecting: %d %s", e.Code, e.Reason) })
	client.OnConnected(func(e centrifuge.ConnectedEvent) { log.Printf("connected: %s", e.ClientID) })
	sub, err := client.NewSubscription(s.channel, centrifuge.SubscriptionConfig{Recoverable: recover, Positioned: recover})
	if err != nil {
		log.Fatalf("cannot create the subscription: %v", err)
	}
	subscribed := make(chan struct{})
	var once sync.Once
	sub.OnPublication(onPublication)
	sub.OnSubscribed(func(e centrifuge.SubscribedEvent) {
		log.Printf("subscribed (recoverable %v, was recovering %v, recovered %v)", e.Recoverable, e.WasRecovering, e.Recovered)
		once.Do(func() { close(subscribed) })
	})
	sub.OnSubscribing(func(e centrifuge.SubscribingEvent) { log.Printf("subscribing: %d %s", e.Code, e.Reason) })
	sub.OnError(func(e centrifuge.SubscriptionErrorEvent) { log.Printf("subscription error: %v", e.Error) })
	if err := sub.Subscribe(); err != nil {
		log.Fatalf("cannot subscribe: %v", err)
	}
	if err := client.Connect(); err != nil {
		// The first dial failed; the client retries on its own.
		log.Printf("connect: %v", err)
	}
	<-subscribed
	return client
}

// tally counts publications and keeps what the scenario reports.
type tally struct {
	mu       sync.Mutex
	scenario string
	count    uint64
	received uint64
	first    uint64
	last     uint64
	lat      []uint64
	seen     map[uint64]struct{}
	dups     uint64
	finished bool
}

// publication is the subscription's publication handler: it decodes the payload and counts it.
func (t *tally) publication(e centrifuge.PublicationEvent) {
	now := nowNs()
	var b body
	if err := json.Unmarshal(e.Data, &b); err != nil {
		log.Printf("undecodable publication: %v", err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.received++
	if t.received == 1 {
		t.first = now
	}
	switch t.scenario {
	case "latency":
		lat := uint64(0)
		if now > b.T {
			lat = (now - b.T) / 1000
		}
		t.lat = append(t.lat, lat)
		if t.received == t.count {
			emit(map[string]any{"event": "done", "lat_us": t.lat})
		}
	case "throughput":
		if t.received == t.count {
			emit(map[string]any{"event": "done", "received": t.received, "first_ns": t.first, "last_ns": now})
		}
	case "recovery":
		if _, dup := t.seen[b.I]; dup {
			t.dups++
		} else {
			t.seen[b.I] = struct{}{}
		}
		t.last = now
		if !t.finished && uint64(len(t.seen)) >= t.count {
			t.finished = true
			emit(t.statusLocked("done"))
		}
	}
}

func (t *tally) status(event string) map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.statusLocked(event)
}

func (t *tally) statusLocked(event string) map[string]any {
	return map[string]any{"event": event, "unique": len(t.seen), "dups": t.dups, "last_ns": t.last}
}

// fleet runs the fleet scenario up to "subscribed": n clients, connected, then subscribed to
// channel+k each. The clients then reconnect and resubscribe on their own until the process exits.
func fleet(s settings, n uint64, lines <-chan struct{}) {
	emit(map[string]any{"event": "baseline"})
	<-lines
	clients := make([]*centrifuge.Client, n)
	var connected sync.WaitGroup
	connected.Add(int(n))
	for k := range clients {
		client := s.newClient()
		var once sync.Once
		client.OnConnected(func(centrifuge.ConnectedEvent) { once.Do(connected.Done) })
		clients[k] = client
		// Connect dials before it returns: dial every client at the same time, as the other SDKs do.
		go func() {
			if err := client.Connect(); err != nil {
				log.Printf("client %d: connect: %v", k, err)
			}
		}()
	}
	connected.Wait()
	emit(map[string]any{"event": "connected"})
	<-lines
	var subscribed sync.WaitGroup
	subscribed.Add(int(n))
	for k, client := range clients {
		sub, err := client.NewSubscription(s.channel + fmt.Sprint(k))
		if err != nil {
			log.Fatalf("client %d: cannot create the subscription: %v", k, err)
		}
		var once sync.Once
		sub.OnSubscribed(func(centrifuge.SubscribedEvent) { once.Do(subscribed.Done) })
		if err := sub.Subscribe(); err != nil {
			log.Fatalf("client %d: cannot subscribe: %v", k, err)
		}
	}
	subscribed.Wait()
	emit(map[string]any{"event": "subscribed"})
}
