public class Crc {
  public static void main(String[] a) throws Exception {
    for (int mb : new int[]{29, 29}) {
      byte[] b = new byte[mb << 20];
      long t0 = System.nanoTime();
      java.util.zip.CRC32C c = new java.util.zip.CRC32C(); c.update(b, 0, b.length);
      long t1 = System.nanoTime();
      System.out.printf("%d MB: crc32c %d ms (%.0f MB/s) %d%n", mb, (t1-t0)/1000000, mb*1e9/(t1-t0), c.getValue() & 1);
    }
  }
}
