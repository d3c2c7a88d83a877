package dev.hearth.cli;
public class PcProbe {
  public static void main(String[] a) {
    long t0 = System.nanoTime();
    Object o = a[0].equals("all") ? Hearth.newCommandLine() : Hearth.commandLineFor("serve");
    long t1 = System.nanoTime();
    System.out.println(a[0] + " " + (t1 - t0) / 1000 + " us " + (o != null));
  }
}
