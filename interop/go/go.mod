module chatzoo/go

go 1.19
