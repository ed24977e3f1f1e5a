"""The category tree the sandbox serves: top level > category > leaf, one line per category.

Names follow TikTok Shop's public category list. The tree is the same in every region (ids are stable), with
per-region permission differences applied in `catalog`.
"""

from __future__ import annotations

TREE = """
Womenswear & Underwear > Women's Tops: T-shirts, Blouses & Shirts, Tank Tops & Camis, Hoodies & Sweatshirts, Sweaters, Crop Tops
Womenswear & Underwear > Women's Bottoms: Jeans, Trousers, Shorts, Skirts, Leggings, Joggers
Womenswear & Underwear > Women's Dresses: Casual Dresses, Party Dresses, Maxi Dresses, Work Dresses, Knit Dresses
Womenswear & Underwear > Women's Coats & Jackets: Denim Jackets, Leather Jackets, Puffer Jackets, Trench Coats, Blazers, Varsity Jackets
Womenswear & Underwear > Women's Underwear: Bras, Panties, Shapewear, Sleepwear, Socks & Hosiery
Menswear & Underwear > Men's Tops: T-shirts, Shirts, Polo Shirts, Hoodies & Sweatshirts, Sweaters, Tank Tops
Menswear & Underwear > Men's Bottoms: Jeans, Chinos, Shorts, Joggers, Suit Trousers
Menswear & Underwear > Men's Coats & Jackets: Bomber Jackets, Leather Jackets, Puffer Jackets, Sports Jackets, Overcoats, Denim Jackets
Menswear & Underwear > Men's Underwear: Boxers, Briefs, Undershirts, Socks, Pyjamas
Shoes > Women's Shoes: Sneakers, Boots, Sandals, Heels, Flats, Slippers
Shoes > Men's Shoes: Sneakers, Boots, Loafers, Sandals, Formal Shoes, Slippers
Shoes > Kids' Shoes: Sneakers, Boots, Sandals, School Shoes
Luggage & Bags > Women's Bags: Handbags, Shoulder Bags, Tote Bags, Clutches, Crossbody Bags
Luggage & Bags > Men's Bags: Backpacks, Messenger Bags, Briefcases, Waist Bags
Luggage & Bags > Travel Luggage: Suitcases, Travel Bags, Luggage Accessories, Packing Organizers
Fashion Accessories > Jewellery: Necklaces, Earrings, Rings, Bracelets, Anklets, Jewellery Sets
Fashion Accessories > Hats & Caps: Baseball Caps, Beanies, Bucket Hats, Sun Hats
Fashion Accessories > Accessories: Scarves, Belts, Gloves, Sunglasses, Hair Accessories, Wallets
Home Supplies > Home Decor: Vases, Photo Frames, Wall Art, Candles & Holders, Clocks, Artificial Flowers
Home Supplies > Bedding: Duvet Covers, Bed Sheets, Pillowcases, Blankets & Throws, Pillows, Mattress Toppers
Home Supplies > Storage & Organisation: Storage Boxes, Storage Bottles & Jars, Hangers, Drawer Organizers, Shelves
Home Supplies > Bathroom Supplies: Towels, Shower Curtains, Bath Mats, Soap Dispensers, Toothbrush Holders
Home Supplies > Festive & Party Supplies: Christmas Decorations, Balloons, Party Tableware, Gift Wrapping
Furniture > Indoor Furniture: Sofas, Armchairs, Chests of Drawers, Beds, Dining Tables, Coffee Tables, Bookcases
Furniture > Outdoor Furniture: Garden Tables, Garden Chairs, Sun Loungers, Hammocks, Outdoor Sofas
Furniture > Kids' Furniture: Kids' Beds, Kids' Desks, Kids' Chairs, Toy Storage
Kitchenware > Cookware: Pots, Frying Pans, Woks, Steamers, Bakeware
Kitchenware > Tableware: Plates, Bowls, Mugs, Cutlery, Glassware, Serving Trays
Kitchenware > Kitchen Utensils: Knives, Cutting Boards, Spatulas, Graters, Measuring Tools
Kitchenware > Drinkware: Water Bottles, Tumblers, Tea Sets, Coffee Makers
Home Improvement > Lighting: Pendant Lights, Floor Lamps, Table Lamps, LED Strips, Outdoor Lights, Light Bulbs
Home Improvement > Garden Supplies: Plant Pots, Watering Cans, Garden Tools, Seeds, Garden Hoses, Fertilizers
Home Improvement > Tools & Hardware: Hand Tools, Power Tools, Tool Storage, Measuring Instruments, Fasteners
Home Improvement > Cleaning Supplies: Mops, Brooms, Cleaning Cloths, Sponges, Dustbins
Beauty & Personal Care > Makeup: Foundation, Lipstick, Mascara, Eyeshadow, Blush, Makeup Brushes
Beauty & Personal Care > Skincare: Facial Cleansers, Moisturizers, Serums, Sunscreen, Face Masks, Toners
Beauty & Personal Care > Hair Care: Shampoo, Conditioner, Hair Oils, Hair Dryers, Hair Straighteners
Beauty & Personal Care > Fragrance: Women's Perfume, Men's Perfume, Body Mists, Home Fragrance
Beauty & Personal Care > Personal Care Appliances: Electric Toothbrushes, Shavers, Epilators, Massagers
Phones & Electronics > Phone Accessories: Phone Cases, Screen Protectors, Chargers, Cables, Power Banks, Phone Holders
Phones & Electronics > Audio & Video: Earphones, Headphones, Speakers, Microphones, Soundbars
Phones & Electronics > Cameras & Photography: Action Cameras, Tripods, Camera Bags, Ring Lights
Phones & Electronics > Smart Wearables: Smart Watches, Fitness Trackers, Watch Straps
Computers & Office Equipment > Computer Accessories: Keyboards, Mice, Mouse Pads, Laptop Stands, USB Hubs, Webcams
Computers & Office Equipment > Office Supplies: Notebooks, Pens, Desk Organizers, Staplers, Labels
Computers & Office Equipment > Storage Devices: USB Flash Drives, External Hard Drives, Memory Cards
Sports & Outdoor > Fitness Equipment: Yoga Mats, Dumbbells, Resistance Bands, Skipping Ropes, Foam Rollers
Sports & Outdoor > Sportswear: Sports T-shirts, Sports Leggings, Sports Bras, Tracksuits, Sports Jackets
Sports & Outdoor > Camping & Hiking: Tents, Sleeping Bags, Camping Chairs, Hiking Backpacks, Headlamps
Sports & Outdoor > Cycling: Bike Helmets, Bike Lights, Bike Locks, Cycling Gloves
Toys & Hobbies > Toys: Building Blocks, Dolls, Plush Toys, Puzzles, Remote Control Toys, Educational Toys
Toys & Hobbies > Hobbies: Model Kits, Art Supplies, Musical Instruments, Board Games
Baby & Maternity > Baby Care: Baby Bottles, Pacifiers, Baby Bath, Baby Skincare, Diapers
Baby & Maternity > Baby Clothing: Baby Bodysuits, Baby Sets, Baby Hats, Baby Socks
Baby & Maternity > Maternity: Maternity Dresses, Nursing Bras, Maternity Pillows
Pet Supplies > Dog Supplies: Dog Beds, Dog Leashes, Dog Toys, Dog Bowls, Dog Clothing
Pet Supplies > Cat Supplies: Cat Beds, Cat Toys, Scratching Posts, Cat Litter Boxes
Food & Beverages > Drinks: Teas, Coffee, Juices, Energy Drinks
Food & Beverages > Snacks: Chips & Crisps, Chocolate, Biscuits & Cookies, Dried Fruit & Nuts
Health > Supplements: Vitamins, Protein Powders, Herbal Supplements
Automotive & Motorcycle > Car Accessories: Car Phone Holders, Seat Covers, Car Chargers, Dash Cams, Car Cleaning
Books, Magazines & Audio > Books: Fiction, Children's Books, Cookbooks, Self-help Books
"""


def parse_tree() -> list[tuple[str, str, list[str]]]:
    """(top level, category, leaves) per line of TREE, in order."""
    rows = []
    for line in TREE.strip().splitlines():
        path, leaves = line.split(":", 1)
        top, middle = (part.strip() for part in path.split(">"))
        rows.append((top, middle, [leaf.strip() for leaf in leaves.split(",")]))
    return rows
