"""Opens N connections to the sandbox's own proxy, each sending half a request
head and then nothing (slowloris), holds them, then makes one real request
through the same proxy with curl and prints its HTTP status."""
import os, resource, socket, subprocess, sys, urllib.parse

n, url = int(sys.argv[1]), sys.argv[2]
proxy = urllib.parse.urlsplit(os.environ["HTTP_PROXY"])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
held = []
for _ in range(n):
    s = socket.create_connection((proxy.hostname, proxy.port))
    s.sendall(b"CONNECT slow.test:443 HTTP/1.1\r\nHost: slow")
    held.append(s)
print(f"holding {len(held)}", flush=True)
status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url], capture_output=True, text=True).stdout
print(f"own request: {status}", flush=True)
