import java.util.*;
public class Chase {
  public static void main(String[] a) {
    for (int mb : new int[]{0, 1, 4, 16, 64, 256}) {
      int n = Math.max(1024, mb * (1 << 20) / 4);
      int[] next = new int[n];
      int[] perm = new int[n];
      for (int i = 0; i < n; i++) perm[i] = i;
      Random r = new Random(1);
      for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
      for (int i = 0; i < n; i++) next[perm[i]] = perm[(i + 1) % n];
      int p = 0;
      for (int i = 0; i < 2_000_000; i++) p = next[p];
      long best = Long.MAX_VALUE;
      for (int rep = 0; rep < 5; rep++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 5_000_000; i++) p = next[p];
        best = Math.min(best, System.nanoTime() - t0);
      }
      System.out.printf("%4d MB: %.1f ns per dependent random load (%d)%n", Math.max(mb, 0), best / 5e6, p & 1);
    }
  }
}
