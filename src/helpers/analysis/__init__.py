"""Pure analysis: frames in, frames out. No module here opens a file or imports a plotting library."""
