import java.security.MessageDigest;
public class Sha {
  public static void main(String[] a) throws Exception {
    for (int mb : new int[]{29, 29, 470}) {
      byte[] b = new byte[mb << 20];
      long t0 = System.nanoTime();
      MessageDigest.getInstance("SHA-256").update(b, 0, b.length);
      long t1 = System.nanoTime();
      long[] l = new long[b.length / 16];
      java.nio.ByteBuffer.wrap(b).asLongBuffer().get(l);
      long t2 = System.nanoTime();
      System.out.printf("%d MB: sha256 %d ms (%.0f MB/s), asLongBuffer().get of half %d ms%n", mb, (t1-t0)/1000000, mb*1e9/(t1-t0), (t2-t1)/1000000);
    }
  }
}
