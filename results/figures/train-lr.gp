# gnuplot script (armebm train); data in train-lr.dat, one index per (space, target)
set encoding utf8
do for [fmt in "svg pdf"] {
  if (fmt eq "svg") { set terminal svg size 1020,375 dynamic font 'sans,11' } else { if (strstrt(GPVAL_TERMINALS, "pdfcairo") == 0) { break }; set terminal pdfcairo size 6.8in,2.5in font 'sans,7' }
  set output 'train-lr.'.fmt
  set multiplot layout 1,2
  set logscale xy
  set format x '10^{%L}'
  set format y '10^{%L}'
  set xlabel 'peak learning rate'
  set ylabel 'final L - H_ρ(Y|X)'
  set key top right font ',7'
  set key title 'F(8,4), zipf(s=1)'
  plot 'train-lr.dat' index 0 using 1:($2>0?$2:1/0) title 'ARM' with linespoints lc 1 lw 2 pt 7 ps 0.6, \
    '' index 0 using 1:($3>0?$3:1/0) title 'EBM' with linespoints lc 2 lw 2 dt 2 pt 5 ps 0.6, \
    '' index 0 using 1:($5 > 0 ? ($3>0?$3:1/0) : 1/0) title 'chosen (least EBM area)' with points lc rgb 'black' pt 6 ps 1.6
  set key title 'F(8,4), softmax-normal(t=0.1)'
  plot 'train-lr.dat' index 1 using 1:($2>0?$2:1/0) title 'ARM' with linespoints lc 1 lw 2 pt 7 ps 0.6, \
    '' index 1 using 1:($3>0?$3:1/0) title 'EBM' with linespoints lc 2 lw 2 dt 2 pt 5 ps 0.6, \
    '' index 1 using 1:($5 > 0 ? ($3>0?$3:1/0) : 1/0) title 'chosen (least EBM area)' with points lc rgb 'black' pt 6 ps 1.6
  unset multiplot
  unset output
}
