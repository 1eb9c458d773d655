/**
 * The best `k` of `total` items, best first, by a strict "a ranks before b"
 * test: a binary min-heap of the best k so far (its root the worst kept), so
 * picking a page from 300,000 matches costs one comparison for most of them
 * and no sort of all.
 */
export function topK(total: number, k: number, better: (a: number, b: number) => boolean): number[] {
  const heap: number[] = [];
  if (k <= 0) return heap;
  const swap = (i: number, j: number) => { const t = heap[i]!; heap[i] = heap[j]!; heap[j] = t; };
  for (let i = 0; i < total; i++) {
    if (heap.length < k) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0;) {
        const p = (c - 1) >> 1;
        if (!better(heap[p]!, heap[c]!)) break;
        swap(p, c);
        c = p;
      }
    } else if (better(i, heap[0]!)) {
      heap[0] = i;
      for (let c = 0; ;) {
        const l = 2 * c + 1;
        const r = l + 1;
        let w = c;
        if (l < heap.length && better(heap[w]!, heap[l]!)) w = l;
        if (r < heap.length && better(heap[w]!, heap[r]!)) w = r;
        if (w === c) break;
        swap(c, w);
        c = w;
      }
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}
