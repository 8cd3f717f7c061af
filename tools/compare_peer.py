#!/usr/bin/env python3
"""ConvTutor beside PyTorch on the same LeNet-5, measured in one session on one machine.

Runs `convtutor bench --only network --json` and the peer's throughput mode
(../shared/bench/lenet_peer.py) interleaved, ours then the peer's, --rounds times (default 2:
ours, peer, ours, peer), and reports for each figure (each batch size) its best value over a
side's runs: the machine is shared and noisy, and interference only ever slows a run down. Before
each run it waits (up to --max-wait seconds) for the machine to be quiet, and a throughput run
during which other processes took more than --others-max of the CPUs is run again (up to
--attempts runs; every run is listed). Then it measures the peak resident
memory of one epoch of real training on each side under /usr/bin/time -v:

    convtutor train --no-tui --data DIR --epochs 1
    python lenet_peer.py accuracy --epochs 1 --data DIR

and prints a markdown table with ratios (ConvTutor / PyTorch), every run's figures, the machine,
the date, the commit, and how much of the CPUs other processes used during each run (from
/proc/stat, less our children's CPU time).

Needs the peer's venv (python3 -m venv /tmp/peer && /tmp/peer/bin/pip install -q torch numpy) and
a release build:

    swift build -c release --scratch-path .build-release
    python3 tools/compare_peer.py --convtutor .build-release/release/convtutor

Standard library only. Exit status 1 when a run fails.
"""

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')

TRAIN_BATCHES = ['1', '16', '64', '256']
INFER_BATCHES = ['1', '256']
# The targets, as ratios ConvTutor / PyTorch (reported, not asserted).
TARGETS = {('train', '1'): 4.0, ('train', '64'): 2.0, ('infer', '1'): 3.0}
TRAINING_MEMORY_TARGET_MB = 200


def parse_arguments():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--convtutor', default=os.path.join(ROOT, '.build-release', 'release', 'convtutor'),
                    help='the release binary (default: .build-release/release/convtutor)')
    ap.add_argument('--peer-python', default='/tmp/peer/bin/python', help="the peer venv's python")
    ap.add_argument('--peer-script', default=os.path.join(SHARED, 'bench', 'lenet_peer.py'))
    ap.add_argument('--data', default=os.path.join(SHARED, 'data', 'mnist'),
                    help='MNIST IDX folder both sides read (default: ../shared/data/mnist)')
    ap.add_argument('--rounds', type=int, default=2, help='interleaved rounds (ours, peer) of the throughput runs')
    ap.add_argument('--seconds', type=float, default=3.0, help='timed window per batch size on both sides')
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1, help='threads on both sides (default: every core)')
    ap.add_argument('--skip-memory', action='store_true', help='skip the one-epoch training memory runs')
    ap.add_argument('--busy-below', type=float, default=0.1,
                    help='before each run, wait until other processes keep less than this share of the CPUs busy (default 0.1)')
    ap.add_argument('--max-wait', type=float, default=300, help='seconds to wait for that before measuring anyway')
    ap.add_argument('--others-max', type=float, default=0.15,
                    help='a throughput run during which other processes used more than this share of the CPUs is run again')
    ap.add_argument('--attempts', type=int, default=3, help='runs per side and round at most (default 3)')
    ap.add_argument('--commit', help="what the binary was built from, for the report (default: this checkout's HEAD, "
                    'marked when Sources/ has uncommitted changes)')
    ap.add_argument('--json', metavar='FILE', help='also write every raw figure here')
    a = ap.parse_args()
    if a.rounds < 1 or a.attempts < 1:
        ap.error('--rounds and --attempts must be at least 1')
    return a


def log(message):
    print(message, file=sys.stderr, flush=True)


def cpu_seconds():
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat; None elsewhere.
    Steal time (the hypervisor running someone else) counts as busy: it is time we could not have."""
    try:
        with open('/proc/stat') as file:
            fields = [int(x) for x in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf('SC_CLK_TCK')
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy / tick, (busy + idle + iowait) / tick


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(busy_below, max_wait):
    """Waits until the other processes keep less than busy_below of the CPUs busy over 2 s, at most
    max_wait seconds. Returns the last busy fraction seen (None without /proc/stat)."""
    deadline = time.monotonic() + max_wait
    while True:
        before = cpu_seconds()
        if before is None:
            return None
        time.sleep(2)
        after = cpu_seconds()
        busy = (after[0] - before[0]) / max(1e-9, after[1] - before[1])
        if busy < busy_below or time.monotonic() >= deadline:
            if busy >= busy_below:
                log(f'  still {100 * busy:.0f}% busy after {max_wait:g} s of waiting; measuring anyway')
            return busy


def run(command, label, quiet):
    """Runs command after waiting for a quiet machine; returns (stdout, stderr, others), where
    others is the share of the CPUs that other processes used while it ran (None when unknown).
    Exits with status 1 if the command fails."""
    wait_for_quiet(*quiet)
    log(f'{label}: {" ".join(command)}')
    before, children_before = cpu_seconds(), children_cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True)
    after, children_after = cpu_seconds(), children_cpu_seconds()
    if done.returncode != 0:
        log(f'{label} failed with status {done.returncode}:\n{done.stderr}')
        sys.exit(1)
    others = None
    if before and after:
        ours = children_after - children_before
        others = max(0.0, (after[0] - before[0] - ours) / max(1e-9, after[1] - before[1]))
        log(f'  others used {100 * others:.0f}% of the CPUs meanwhile')
    return done.stdout, done.stderr, others


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith('{'):
            return json.loads(line)
    raise ValueError('no JSON line in the output')


def max_rss_mb(time_report):
    """/usr/bin/time -v's 'Maximum resident set size (kbytes)', in MiB."""
    match = re.search(r'Maximum resident set size \(kbytes\): (\d+)', time_report)
    if not match:
        raise ValueError('no "Maximum resident set size" in /usr/bin/time -v output')
    return int(match.group(1)) / 1024


def machine():
    model = '?'
    try:
        for line in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines():
            if line.startswith('Model name:'):
                model = line.split(':', 1)[1].strip()
    except OSError:
        pass
    return model, os.cpu_count()


def commit():
    def git(*arguments):
        return subprocess.run(['git', '-C', ROOT, *arguments], capture_output=True, text=True).stdout.strip()
    head = git('rev-parse', '--short', 'HEAD')
    dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'Sources', 'Package.swift')
    return head + (' (with uncommitted changes under Sources/)' if dirty else '')


def ratio_text(ours, peer):
    return f'{ours / peer:.2f}x' if peer else 'n/a'


def main():
    a = parse_arguments()
    for path in (a.convtutor, a.peer_python, a.peer_script):
        if not os.path.exists(path):
            log(f'{path}: not found (see --help)')
            return 1
    quiet = (a.busy_below, a.max_wait)
    started = datetime.datetime.now().astimezone()
    ours_runs, peer_runs = [], []

    def measure(command, label, runs):
        """One run of a side; run again (up to --attempts in all) while other processes took more than
        --others-max of the CPUs. Every attempt is kept and shown; the best counts, as interference
        only ever slows a run down."""
        for attempt in range(1, a.attempts + 1):
            out, _, others = run(command, f'{label}, attempt {attempt}' if attempt > 1 else label, quiet)
            runs.append(dict(last_json_line(out), others_busy=others, round=round_number))
            if others is None or others <= a.others_max:
                return

    for round_number in range(1, a.rounds + 1):
        measure([a.convtutor, 'bench', '--only', 'network', '--json', '--data', a.data,
                 '--network-seconds', str(a.seconds), '--threads', str(a.threads)], f'round {round_number}, convtutor', ours_runs)
        measure([a.peer_python, a.peer_script, 'throughput', '--data', a.data,
                 '--seconds', str(a.seconds), '--threads', str(a.threads)], f'round {round_number}, pytorch', peer_runs)

    memory = {}
    if not a.skip_memory:
        _, report, others = run(['/usr/bin/time', '-v', a.convtutor, 'train', '--no-tui', '--data', a.data, '--epochs', '1'],
                              'memory, convtutor train', quiet)
        memory['convtutor'] = {'max_rss_mb': max_rss_mb(report), 'others_busy': others}
        out, report, others = run(['/usr/bin/time', '-v', a.peer_python, a.peer_script, 'accuracy', '--epochs', '1',
                                 '--data', a.data, '--threads', str(a.threads)], 'memory, pytorch accuracy', quiet)
        peer = last_json_line(out)
        memory['pytorch'] = {'max_rss_mb': max_rss_mb(report), 'self_reported_peak_rss_mb': peer.get('peak_rss_mb'),
                             'curve': peer.get('curve'), 'others_busy': others}
    finished = datetime.datetime.now().astimezone()

    model, cores = machine()
    built_from = a.commit or commit()
    version = peer_runs[0].get('version', '?')
    best = lambda runs, key, batch: max(r[key][batch] for r in runs)
    lines = [f'Measured {started:%Y-%m-%d %H:%M}-{finished:%H:%M %Z} on {model}, {cores} cores; '
             f'ConvTutor at commit {built_from}, PyTorch {version} ({peer_runs[0].get("threads")} threads). '
             f'Best run per side of {a.rounds} interleaved rounds (ours, then the peer; a run is repeated, up to '
             f'{a.attempts} times, while other processes take over {100 * a.others_max:.0f}% of the CPUs), {a.seconds:g} s timed per batch size '
             f'after 1 s of warm-up, data {a.data}.', '',
             '| measurement | ConvTutor | PyTorch | ConvTutor / PyTorch | target |',
             '|---|---:|---:|---:|---|']
    for kind, key, batches in (('train', 'train_images_per_second', TRAIN_BATCHES),
                               ('infer', 'infer_images_per_second', INFER_BATCHES)):
        for batch in batches:
            ours, peer = best(ours_runs, key, batch), best(peer_runs, key, batch)
            target = TARGETS.get((kind, batch))
            verdict = '' if target is None else (f'>= {target:g}x: ' + ('met' if ours / peer >= target else 'not met'))
            name = 'training' if kind == 'train' else 'inference'
            lines.append(f'| {name} images/s, batch {batch} | {ours:,.0f} | {peer:,.0f} | {ratio_text(ours, peer)} | {verdict} |')
    ours_peak = min(r['peak_rss_mb'] for r in ours_runs)
    peer_peak = min(r['peak_rss_mb'] for r in peer_runs)
    lines.append(f'| peak memory of the throughput run (MB) | {ours_peak:.0f} | {peer_peak:.0f} | '
                 f'{ratio_text(ours_peak, peer_peak)} | |')
    if memory:
        ours_mb, peer_mb = memory['convtutor']['max_rss_mb'], memory['pytorch']['max_rss_mb']
        verdict = f'<= {TRAINING_MEMORY_TARGET_MB} MB: ' + ('met' if ours_mb <= TRAINING_MEMORY_TARGET_MB else 'not met')
        lines.append(f'| peak memory, 1 epoch of MNIST training (MB) | {ours_mb:.0f} | {peer_mb:.0f} | '
                     f'{ratio_text(ours_mb, peer_mb)} | {verdict} |')
    percent = lambda share: '?' if share is None else f'{100 * share:.0f}%'
    lines += ['', 'Every run (images/s; "others": the share of the CPUs other processes used during the run):', '',
              '| run | ' + ' | '.join([f'train {b}' for b in TRAIN_BATCHES] + [f'infer {b}' for b in INFER_BATCHES])
              + ' | peak MB | others |',
              '|---|' + '---:|' * (len(TRAIN_BATCHES) + len(INFER_BATCHES) + 2)]
    for name, runs in (('ConvTutor', ours_runs), ('PyTorch', peer_runs)):
        for r in runs:
            cells = [f'{r["train_images_per_second"][b]:,.0f}' for b in TRAIN_BATCHES]
            cells += [f'{r["infer_images_per_second"][b]:,.0f}' for b in INFER_BATCHES]
            lines.append(f'| {name}, round {r["round"]} | ' + ' | '.join(cells)
                         + f' | {r["peak_rss_mb"]:.0f} | {percent(r["others_busy"])} |')
    if memory:
        lines += ['', f'One-epoch training runs: ConvTutor {memory["convtutor"]["max_rss_mb"]:.1f} MB '
                  f'(others {percent(memory["convtutor"]["others_busy"])}); PyTorch {memory["pytorch"]["max_rss_mb"]:.1f} MB '
                  f'by /usr/bin/time, {memory["pytorch"]["self_reported_peak_rss_mb"]} MB self-reported '
                  f'(others {percent(memory["pytorch"]["others_busy"])}).']
    print('\n'.join(lines))
    if a.json:
        with open(a.json, 'w') as file:
            json.dump({'started': started.isoformat(), 'finished': finished.isoformat(), 'machine': model,
                       'cores': cores, 'commit': built_from, 'convtutor': ours_runs, 'pytorch': peer_runs,
                       'memory': memory}, file, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
