# gnuplot script (armebm train); data in train-kl.dat, one index per (space, target)
set encoding utf8
do for [fmt in "svg pdf"] {
  if (fmt eq "svg") { set terminal svg size 1020,375 dynamic font 'sans,11' } else { if (strstrt(GPVAL_TERMINALS, "pdfcairo") == 0) { break }; set terminal pdfcairo size 6.8in,2.5in font 'sans,7' }
  set output 'train-kl.'.fmt
  set multiplot layout 1,2
  set logscale xy
  set format x '10^{%L}'
  set format y '10^{%L}'
  set xlabel 'ε_c = ‖c(M(r*)) − c(q_k)‖_∞ (rows centred)'
  set ylabel 'KL(p_{R*} ‖ p_{q_k})'
  set key top left font ',7'
  set key title 'F(8,4), zipf(s=1), lr=0.1'
  plot 'train-kl.dat' index 0 using ($2>0?$2:1/0):($3>0?$3:1/0) title 'KL over training' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
    2*4*x title '2Tε_c (Prop. 3)' with lines lc 1 dt 2 lw 2
  set key title 'F(8,4), softmax-normal(t=0.1), lr=0.1'
  plot 'train-kl.dat' index 1 using ($2>0?$2:1/0):($3>0?$3:1/0) title 'KL over training' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
    2*4*x title '2Tε_c (Prop. 3)' with lines lc 1 dt 2 lw 2
  unset multiplot
  unset output
}
